-- Pathway version 2 resolves a dispute in two steps (dispute.propose by one side, dispute.confirm by the other: the lead
-- moves only at the confirmation of the service that becomes lead). The audits read both, beside version 1's
-- dispute.resolve.
CREATE OR REPLACE FUNCTION is_audit_event(type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT type IN ('referral.make', 'referral.accept', 'referral.decline', 'referral.redirect', 'assessment.record',
                  'assessment.review', 'lead.accept', 'lead.decline', 'handover.accept', 'handover.decline',
                  'involvement.accept', 'involvement.decline', 'appointment.missed', 'appointment.followUp',
                  'dispute.raise', 'dispute.escalate', 'dispute.resolve', 'dispute.propose', 'dispute.confirm')
$$;
--> statement-breakpoint
INSERT INTO audit_events SELECT p.* FROM case_events e CROSS JOIN LATERAL audit_event_of(e) p
  WHERE e.type IN ('dispute.propose', 'dispute.confirm') ON CONFLICT DO NOTHING;
