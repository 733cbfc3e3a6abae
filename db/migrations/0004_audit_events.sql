CREATE TABLE "audit_events" (
	"case_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_agency_id" text NOT NULL,
	"mental_health" text,
	"substance_use_asked" boolean,
	"suspected_fep" boolean,
	"to_service" text,
	"appointment_id" text,
	"lead_id" text,
	CONSTRAINT "audit_events_case_id_seq_pk" PRIMARY KEY("case_id","seq")
);
--> statement-breakpoint
-- INCLUDE by hand (beyond what the Drizzle schema declares): the audits' period scans read only this index.
CREATE INDEX "audit_events_type_at_idx" ON "audit_events" USING btree ("type","at")
  INCLUDE ("case_id", "seq", "actor_agency_id", "mental_health", "substance_use_asked", "suspected_fep", "to_service", "appointment_id", "lead_id");--> statement-breakpoint
CREATE INDEX "audit_events_case_type_idx" ON "audit_events" USING btree ("case_id","type","seq");
--> statement-breakpoint
-- The audit projection of one history row, said once: the trigger and the backfill below both use it.
CREATE FUNCTION audit_event_of(e case_events) RETURNS audit_events LANGUAGE sql IMMUTABLE AS $$
  SELECT e.case_id, e.seq, e.type, e.at, e.actor_agency_id,
         e.payload ->> 'mentalHealth',
         CASE WHEN e.type IN ('assessment.record', 'assessment.review')
              THEN coalesce(e.payload #>> '{substanceUse,currentUse}', '') <> '' END,
         (e.payload ->> 'suspectedFirstEpisodePsychosis')::boolean,
         e.payload #>> '{to,service}',
         e.payload ->> 'appointmentId',
         e.payload #>> '{lead,id}'
$$;
--> statement-breakpoint
-- The event types the audits read (quality standards, EIP, bounces, disputes).
CREATE FUNCTION is_audit_event(type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT type IN ('referral.make', 'referral.accept', 'referral.decline', 'referral.redirect', 'assessment.record',
                  'assessment.review', 'lead.accept', 'lead.decline', 'handover.accept', 'handover.decline',
                  'involvement.accept', 'involvement.decline', 'appointment.missed', 'appointment.followUp',
                  'dispute.raise', 'dispute.escalate', 'dispute.resolve')
$$;
--> statement-breakpoint
CREATE FUNCTION project_audit_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_events SELECT (audit_event_of(NEW)).*;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Whoever appends to the history, the projection follows in the same transaction. A bulk loader may set
-- pathway.project_audit_events = 'batch' for its transaction and project its rows set-wise instead (projectAuditEvents).
CREATE TRIGGER case_events_audit_projection AFTER INSERT ON case_events
  FOR EACH ROW WHEN (is_audit_event(NEW.type) AND current_setting('pathway.project_audit_events', true) IS DISTINCT FROM 'batch')
  EXECUTE FUNCTION project_audit_event();
--> statement-breakpoint
-- Histories written before this migration.
INSERT INTO audit_events SELECT p.* FROM case_events e CROSS JOIN LATERAL audit_event_of(e) p WHERE is_audit_event(e.type);
