/** The protocol's rules (listed with their clauses in docs/rules.md), by id, with the clause an auditor can look up. */

export const rules = {
  'R-REF-SOURCE': { clause: 'P21 §6.1.1, Appendix 2', title: 'A referral records its source, referrer and receiving service' },
  'R-REF-TRIAGE': { clause: 'P21 §6.2.1', title: 'Referrals to MHS from non-qualified referrers go through triage' },
  'R-REF-CONTENT': { clause: 'P21 §6.4.2', title: 'An SMS referral to MHS or IAPT states disorder, obstruction and hopes' },
  'R-REF-WRAPAROUND': { clause: 'P21 §6.5.1', title: 'Wraparound services need a key worker and a recovery plan' },
  'R-REF-EIP': { clause: 'P21 §6.2.4', title: 'Direct referral to EIP for a suspected first episode of psychosis, aged 14–65' },
  'R-ELIG-AGE': { clause: 'P21 §4, §8.16', title: 'Adults 18+; under-18s are redirected to CAMHS' },
  'R-ELIG-AREA': { clause: 'P21 §4', title: 'Resident in Kent or Medway, permanently or temporarily' },
  'R-REF-NOINTOX': {
    clause: 'P16 "This is why we need a protocol"; P21 §6.4.1',
    title: 'Substance use or intoxication is no reason to refuse a service',
  },
  'R-REF-DECLINE': { clause: 'P21 §3.6, Appendix 2', title: 'A decline is explained in writing to the person and the referrer' },
  'R-REF-ONWARD': { clause: 'P21 §6.5.2', title: 'The receiving service makes any onward referral itself' },
  'R-REF-FOLLOWUP': { clause: 'P21 Appendix 2', title: 'Every referral and handover is followed up' },
  'R-ASSESS-FACTORS': { clause: 'P21 §7.2', title: 'The assessment records severity, substance use, circumstances and risks' },
  'R-ASSESS-ALONE': { clause: 'P21 §7.2, §7.4', title: 'Can this service alone meet the needs and manage the risks?' },
  'R-CONSENT': { clause: 'P21 §8.18.1–§8.18.3, Appendix 2', title: 'Information is shared with consent or on a need-to-know ground' },
  'R-SAFEGUARDING': {
    clause: 'P21 §3.5, §6.3, §6.3.1, Appendix 2; P16',
    title: 'A safeguarding concern leads to a recorded decision shared by both services',
  },
  'R-CARER': { clause: 'P21 §5.8, §8.13.1, §8.13.2, Appendix 2', title: 'Carers are offered their own assessment, whatever the consent' },
  'R-LEAD-QUADRANT': {
    clause: 'P21 §8.2–§8.8; P16 "Care coordination", shared values',
    title: 'The lead follows the quadrant unless a written rationale is given',
  },
  'R-LEAD-ONE': { clause: 'P21 §8.5; P16 "Care coordination"', title: 'Exactly one lead agency and a named coordinator' },
  'R-CLARITY': { clause: 'P16 shared values', title: 'The person always knows which agency supports them' },
  'R-PARALLEL': { clause: 'P21 §8.6', title: 'Several services are involved at once, each with its own status' },
  'R-CAREPLAN': { clause: 'P21 §8.7, Appendix 2', title: 'A joint care plan and safety plan are agreed with the person' },
  'R-REVIEW': { clause: 'P21 §8.7, §8.18.3', title: 'Care plans are reviewed regularly, renewing consent, whatever else is pending' },
  'R-DETOX': { clause: 'P21 §8.9', title: 'A post-detox care plan is in place before an alcohol detox' },
  'R-INPATIENT': { clause: 'P21 §8.14', title: 'Transfer from inpatient care is planned with SMS and covers overdose risk' },
  'R-DISENGAGE': { clause: 'P21 §3.5', title: 'Declining at serious risk needs an assertive approach or safeguarding' },
  'R-STEP': { clause: 'P21 §8.4, §8.5, §8.7', title: 'A changed quadrant means a handover or an adjusted plan' },
  'R-HANDOVER-ACCEPT': {
    clause: 'P16 "Care coordination"; P21 Appendix 2',
    title: 'Responsibility moves only when the receiving service accepts',
  },
  'R-HANDOVER-CONTENT': { clause: 'P21 §8.5, Appendix 2', title: 'A handover carries plans, risks and confirmation the person was told' },
  'R-HANDOVER-DECLINE': {
    clause: 'P16 "Care coordination"; P21 §8.17',
    title: 'A declining service gives reasons; the case stays with the sender',
  },
  'R-HANDOVER-ONLYRECEIVER': { clause: 'P16 "Care coordination"', title: 'Only the receiving service accepts or declines' },
  'R-DISPUTE': {
    clause: 'P21 §8.17.1, §8.17.2',
    title: 'Disputes go to both sides’ managers, then clinical directors; one proposes, the other confirms',
  },
  'R-CLOSE-ACCEPTED': { clause: 'P21 Appendix 2', title: 'No closure while a handover or referral awaits acceptance' },
  'R-CLOSE-REASON': {
    clause: 'P21 Appendix 2; P16 "Care coordination"',
    title: 'Closure records a reason and that the person and GP were told',
  },
  'R-CLOSE-FINAL': { clause: 'P21 Appendix 2', title: 'A closed case accepts no further events' },
  // The second reading (2026-11-30): the headline guarantee and the requirements first missed.
  'R-LEAD-ACCEPTED': {
    clause: 'P16 "Care coordination"; P21 Appendix 2',
    title: 'The lead changes only at an event recorded by the service that becomes lead',
  },
  'R-CLOSE-GAPLESS': {
    clause: 'P21 Appendix 2 ("The service user should not experience a gap in their support arrangements")',
    title: 'A case closes only without leaving a gap in support',
  },
  'R-CNA': { clause: 'P21 §8.6 A', title: 'Q1 and Q2 plans record the right to a Care Needs Assessment' },
  'R-CAPACITY': { clause: 'P21 §3.5', title: 'Declining at serious risk records the Mental Capacity Act and collateral information' },
  'R-STOP-DRINKING': { clause: 'P21 Appendix 1', title: 'No alcohol detox or reduction plan without a substance misuse service' },
  'R-ED': { clause: 'P21 §8.15.2–§8.15.5', title: 'Emergency and acute presentations inform SMS, MHS and the GP' },
  'R-RISK-CHANGE': {
    clause: 'P16 "Keeping other members of staff informed"',
    title: 'A change of risk status is notified to every service involved',
  },
  'R-CHALLENGE': { clause: 'P21 §3.6', title: 'Every decline letter gives the right to challenge the decision' },
  'R-CRISIS-SOURCE': {
    clause: 'P16 service directory; P21 Appendix 3',
    title: 'The crisis team and liaison psychiatry take referrals only from their named sources',
  },
  'R-S117': { clause: 'P21 §8.14', title: 'Section 117 aftercare is recorded in the transfer plan after detention under section 3' },
  'R-SI': { clause: 'P21 Appendix 2 ("Joint investigations of SI")', title: 'A serious incident in a shared case is investigated jointly' },
} as const;

export type RuleId = keyof typeof rules;
export const ruleIds = Object.keys(rules) as RuleId[];

/** One reason the protocol refuses something, as the API and UI show it. */
export type Blocker = {
  rule: RuleId;
  clause: string;
  message: string;
  /** The guard that refused, when a guard did (absent when the state does not take the event at all). */
  guard?: string;
};

export const blocker = (rule: RuleId, message: string, guard?: string): Blocker => ({
  rule,
  clause: rules[rule].clause,
  message,
  ...(guard ? { guard } : {}),
});
