/** What each event means to a person, and which rule answers when it is not possible in the current state. */
import type { EventType } from './events.ts';
import type { RuleId } from './rules.ts';

type Entry = { label: string; rule: RuleId; notNow: string };

export const eventCatalog: Record<EventType, Entry> = {
  'referral.make': {
    label: 'Make a referral',
    rule: 'R-CLOSE-FINAL',
    notNow: 'A referral opens a new case; a closed case takes a new referral as a new episode',
  },
  'referral.accept': { label: 'Accept the referral', rule: 'R-REF-FOLLOWUP', notNow: 'No referral awaits acceptance' },
  'referral.decline': { label: 'Decline the referral', rule: 'R-REF-DECLINE', notNow: 'No referral awaits a decision' },
  'referral.redirect': {
    label: 'Pass the referral on to another service',
    rule: 'R-REF-ONWARD',
    notNow: 'No referral awaits a decision; once accepted, ask another service to be involved instead',
  },
  'assessment.record': { label: 'Record the assessment', rule: 'R-ASSESS-FACTORS', notNow: 'The case is not awaiting its assessment' },
  'assessment.review': { label: 'Reassess (step up or step down)', rule: 'R-STEP', notNow: 'Reassessment happens during joint care' },
  'mdt.consult': {
    label: 'Record an MDT consultation',
    rule: 'R-ASSESS-ALONE',
    notNow: 'MDT consultations are recorded during assessment, lead assignment or joint care',
  },
  'lead.assign': {
    label: 'Take the lead and name a care coordinator',
    rule: 'R-LEAD-ONE',
    notNow: 'The lead is assigned once, after assessment; later changes go through handover or dispute',
  },
  'lead.propose': {
    label: 'Ask another agency to lead',
    rule: 'R-LEAD-QUADRANT',
    notNow: 'A lead is proposed after assessment, before any lead is assigned',
  },
  'lead.accept': { label: 'Accept the lead', rule: 'R-HANDOVER-ACCEPT', notNow: 'No agency has been asked to lead' },
  'lead.decline': { label: 'Decline the lead', rule: 'R-HANDOVER-DECLINE', notNow: 'No agency has been asked to lead' },
  'lead.retain': {
    label: 'Keep the lead despite the new quadrant',
    rule: 'R-LEAD-QUADRANT',
    notNow: 'Only after a reassessment names another lead agency',
  },
  'involvement.request': { label: 'Ask another service to be involved', rule: 'R-PARALLEL', notNow: 'Not while the case is closed' },
  'involvement.accept': { label: 'Accept involvement', rule: 'R-PARALLEL', notNow: 'Not while the case is closed' },
  'involvement.decline': { label: 'Decline involvement', rule: 'R-PARALLEL', notNow: 'Not while the case is closed' },
  'involvement.start': { label: 'Start involvement', rule: 'R-PARALLEL', notNow: 'Not while the case is closed' },
  'involvement.end': { label: 'End involvement', rule: 'R-PARALLEL', notNow: 'Not while the case is closed' },
  'careplan.agree': { label: 'Agree the joint care plan', rule: 'R-CAREPLAN', notNow: 'The care plan is agreed during joint care' },
  'careplan.review': { label: 'Review the care plan', rule: 'R-REVIEW', notNow: 'There is no agreed care plan to review' },
  'engagement.decline': { label: 'Record that the person declines services', rule: 'R-DISENGAGE', notNow: 'Not while the case is closed' },
  'engagement.resume': { label: 'Record that the person engages again', rule: 'R-DISENGAGE', notNow: 'Not while the case is closed' },
  'engagement.assertiveOutreach': { label: 'Record an assertive approach', rule: 'R-DISENGAGE', notNow: 'Not while the case is closed' },
  'safeguarding.raise': { label: 'Raise a safeguarding concern', rule: 'R-SAFEGUARDING', notNow: 'Not while the case is closed' },
  'safeguarding.decide': {
    label: 'Record the safeguarding decision (alert raised, or why not)',
    rule: 'R-SAFEGUARDING',
    notNow: 'Not while the case is closed',
  },
  'risk.change': { label: 'Record a change of risk status', rule: 'R-RISK-CHANGE', notNow: 'Risk is recorded once the case is assessed' },
  'acute.presentation': {
    label: 'Record an emergency or acute-ward presentation',
    rule: 'R-ED',
    notNow: 'Not while the case is closed',
  },
  'incident.report': { label: 'Report a death or serious incident', rule: 'R-SI', notNow: 'Not while the case is closed' },
  'incident.learning': {
    label: 'Record the learning actions of an investigation',
    rule: 'R-SI',
    notNow: 'No investigation is open',
  },
  'consent.record': { label: 'Record consent to share information', rule: 'R-CONSENT', notNow: 'Not while the case is closed' },
  'carer.offerAssessment': { label: 'Offer a carer assessment', rule: 'R-CARER', notNow: 'Not while the case is closed' },
  'detox.plan': { label: 'Agree a post-detox care plan', rule: 'R-DETOX', notNow: 'Detox is planned during joint care, one at a time' },
  'detox.start': { label: 'Start a detox', rule: 'R-DETOX', notNow: 'A detox starts during joint care, when none is underway' },
  'detox.complete': { label: 'Complete the detox', rule: 'R-DETOX', notNow: 'No detox is underway' },
  'handover.request': {
    label: 'Hand over to another service',
    rule: 'R-HANDOVER-CONTENT',
    notNow: 'A handover starts from joint care, or after a step change; one at a time',
  },
  'handover.accept': { label: 'Accept the handover', rule: 'R-HANDOVER-ACCEPT', notNow: 'No handover awaits acceptance' },
  'handover.decline': { label: 'Decline the handover', rule: 'R-HANDOVER-DECLINE', notNow: 'No handover awaits acceptance' },
  'handover.withdraw': { label: 'Withdraw the handover', rule: 'R-HANDOVER-ACCEPT', notNow: 'No handover awaits acceptance' },
  'dispute.raise': {
    label: 'Raise a dispute over responsibility',
    rule: 'R-DISPUTE',
    notNow: 'Disputes are raised about the lead: during lead assignment, joint care or after a step change',
  },
  'dispute.escalate': { label: 'Escalate to clinical directors', rule: 'R-DISPUTE', notNow: 'No dispute is with the service managers' },
  'dispute.resolve': {
    label: 'Resolve the dispute',
    rule: 'R-DISPUTE',
    notNow: 'No dispute is open; from pathway version 2 one side proposes a resolution and the other confirms it',
  },
  'dispute.propose': { label: 'Propose how to resolve the dispute', rule: 'R-DISPUTE', notNow: 'No dispute is open' },
  'dispute.confirm': { label: 'Confirm the proposed resolution', rule: 'R-DISPUTE', notNow: 'No resolution awaits confirmation' },
  'case.close': { label: 'Close the case', rule: 'R-CLOSE-REASON', notNow: 'The case is not open' },
  'deadline.reached': { label: 'A follow-up deadline has passed', rule: 'R-REF-FOLLOWUP', notNow: 'Not while the case is closed' },
  'appointment.missed': { label: 'Record a missed appointment', rule: 'R-DISENGAGE', notNow: 'Not while the case is closed' },
  'appointment.followUp': { label: 'Follow up a missed appointment', rule: 'R-DISENGAGE', notNow: 'Not while the case is closed' },
};
