/** The pathway's vocabularies, exported once and reused by schemas, database and UI. */

/** Kinds of service in the protocol (docs/rules.md). */
export const agencyKinds = ['MHS', 'SMS', 'ASC', 'PRIMARY', 'IAPT', 'WRAPAROUND', 'CAMHS', 'OUT_OF_AREA'] as const;
export type AgencyKind = (typeof agencyKinds)[number];

/** Mental health teams that the protocol treats differently (EIP direct referral, inpatient transfer). */
export const mhsServices = ['CMHT', 'EIP', 'CRHT', 'LIAISON', 'INPATIENT', 'TRIAGE'] as const;
export type MhsService = (typeof mhsServices)[number];

export const areas = ['MEDWAY', 'EAST_KENT', 'WEST_KENT'] as const;
export type Area = (typeof areas)[number];

/** R-ELIG-AREA: resident in Kent or Medway, permanently or temporarily (P21 §4). */
export const residencies = ['permanent', 'temporary', 'notResident'] as const;

/** R-REF-SOURCE (P21 §6, Appendix 2); CAMHS for the transition at 18 (P21 §8.16). */
export const referralSources = [
  'self',
  'GP',
  'SMS',
  'MHS',
  'ASC',
  'acuteHospital',
  'criminalJustice',
  'MDT',
  'carerFamily',
  'CAMHS',
  'other',
] as const;
export type ReferralSource = (typeof referralSources)[number];

/** R-REF-TRIAGE: who made the referral decides whether MHS triage is needed (P21 §6.2.1). */
export const referrerQualifications = ['consultantPsychiatrist', 'qualifiedMentalHealthPractitioner', 'coOccurringMdt', 'other'] as const;

export const mentalHealthSeverities = ['mild', 'moderate', 'severe'] as const;
export type MentalHealthSeverity = (typeof mentalHealthSeverities)[number];

export const readinessToChange = ['precontemplation', 'contemplation', 'preparation', 'action', 'maintenance'] as const;

export const quadrants = ['Q1', 'Q2', 'Q3', 'Q4'] as const;
export type Quadrant = (typeof quadrants)[number];

export const roles = ['practitioner', 'serviceManager', 'clinicalDirector', 'commissioner', 'auditor', 'system'] as const;
export type Role = (typeof roles)[number];

/** Grounds for a decline. Substance use and intoxication are listed so the engine can refuse them by name (R-REF-NOINTOX). */
export const declineReasons = [
  'needsBetterMetElsewhere',
  'notEligible',
  'outOfArea',
  'personDeclined',
  'substanceUse',
  'intoxication',
  'other',
] as const;
export type DeclineReason = (typeof declineReasons)[number];
export const forbiddenDeclineReasons: readonly DeclineReason[] = ['substanceUse', 'intoxication'];

/** R-CONSENT: grounds on which information may go to another agency without consent (P21 §8.18.1). */
export const needToKnowGrounds = ['highRisk', 'severeSelfNeglect', 'safeguarding'] as const;
export type NeedToKnowGround = (typeof needToKnowGrounds)[number];

export const consentStatuses = ['notSought', 'given', 'refused'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

/** R-CLOSE-REASON; `referralDeclined` is recorded by the engine when a referral is declined (docs/0004). */
export const closureReasons = [
  'dischargedToGp',
  'transferredAccepted',
  'declinedWithCapacity',
  'movedOutOfArea',
  'died',
  'redirectedUnder18',
  'referralDeclined',
] as const;
export type ClosureReason = (typeof closureReasons)[number];

/** Closure reasons a person closes a case with; the others are recorded by the engine itself. */
export const requestableClosureReasons = [
  'dischargedToGp',
  'transferredAccepted',
  'declinedWithCapacity',
  'movedOutOfArea',
  'died',
] as const satisfies readonly ClosureReason[];

export const handoverReasons = ['stepUp', 'stepDown', 'transfer', 'inpatientDischarge'] as const;

export const involvementStatuses = ['requested', 'accepted', 'active', 'ended', 'declined'] as const;
export type InvolvementStatus = (typeof involvementStatuses)[number];

export const safeguardingKinds = ['adult', 'child'] as const;

export const disputeLevels = ['serviceManagers', 'clinicalDirectors'] as const;
export type DisputeLevel = (typeof disputeLevels)[number];

export const detoxSubstances = ['alcohol', 'opioids', 'benzodiazepines', 'other'] as const;

/** How a service reached out after a missed appointment, and whether it made contact (NICE QS188 statement 4). */
export const followUpMethods = ['phone', 'text', 'letter', 'homeVisit', 'other'] as const;
export const followUpOutcomes = ['contactMade', 'noContact'] as const;

/** Deadlines the engine fires durably (ARCHITECTURE "Deadlines are data"). */
export const deadlineNames = ['referralFollowUp', 'leadFollowUp', 'handoverFollowUp', 'involvementFollowUp', 'carePlanReview'] as const;
export type DeadlineName = (typeof deadlineNames)[number];

/** R-SAFEGUARDING (second reading): the decision shared by both services after a concern (P21 Appendix 2). */
export const safeguardingDecisions = ['alertRaised', 'noAlertReasonDocumented'] as const;

/** R-CNA: the person's statutory right to a Care Needs Assessment, as the joint plan records it (P21 §8.6 A). */
export const careNeedsAssessmentStatuses = ['offered', 'requested', 'completed', 'declined'] as const;
export type CareNeedsAssessmentStatus = (typeof careNeedsAssessmentStatuses)[number];

/** R-ED: where liaison psychiatry saw the person (P21 §8.15). */
export const acuteSettings = ['emergencyDepartment', 'acuteWard'] as const;

/** R-SI: incidents that open a joint investigation (P21 Appendix 2). */
export const incidentKinds = ['death', 'seriousIncident'] as const;
