/** The facts a case holds. Derived values (quadrant lead, overdue, who is responsible) are computed, not stored. */
import type { AgencyRef, CarePlanInput, Coordinator } from './events.ts';
import type {
  Area,
  CareNeedsAssessmentStatus,
  ClosureReason,
  ConsentStatus,
  DeadlineName,
  DisputeLevel,
  InvolvementStatus,
  MentalHealthSeverity,
  Quadrant,
  ReferralSource,
} from './vocab.ts';

export type Referral = {
  source: ReferralSource;
  referrer: { name: string; agencyId?: string };
  /**
   * R-CLARITY (second reading): the service that sent the referral, from the directory (the sender's agency), which
   * stays responsible until the receiver accepts; null when the receiving service recorded a self-referral itself.
   * Absent on referrals made before pathway version 2 (the receiving service was then named responsible).
   */
  from?: AgencyRef | null;
  to: AgencyRef;
  route: 'triage' | 'direct' | 'standard';
  madeAt: string;
  followUpDue: string;
  status: 'awaiting' | 'accepted' | 'declined' | 'redirected';
  redirects: number;
  suspectedFirstEpisodePsychosis: boolean;
};

export type Assessment = {
  by: AgencyRef;
  at: string;
  mentalHealth: MentalHealthSeverity;
  dependent: boolean;
  risks: { toSelf: 'low' | 'moderate' | 'high'; toOthers: 'low' | 'moderate' | 'high'; selfNeglect: boolean; safeguarding: boolean };
  canServiceAloneSupport: boolean;
};

export type Lead = { agency: AgencyRef; coordinator: Coordinator; since: string; rationale?: string };

export type Involvement = {
  id: string;
  agency: AgencyRef;
  purpose: string;
  status: InvolvementStatus;
  requestedAt: string;
  followUpDue: string;
  updatedAt: string;
};

export type CarePlan = Omit<CarePlanInput, 'reviewDue'> & { agreedAt: string; reviewDue: string; reviews: number };

export type Handover = {
  from: AgencyRef;
  to: AgencyRef;
  reason: string;
  trigger: 'stepChange' | 'voluntary';
  requestedAt: string;
  followUpDue: string;
  carePlan: CarePlanInput;
  senderContinuesAsSupport: boolean;
  rationale?: string;
};

export type DisputeProposal = {
  by: AgencyRef;
  /** The lead the resolution names; absent when it names none (the lead stays, or none is decided yet). */
  lead?: AgencyRef;
  outcome: string;
  rationale?: string;
  at: string;
  /** The services whose manager may confirm: the new lead alone when the lead moves, else the other side. */
  awaiting: AgencyRef[];
  followUpDue: string;
  commissionerInput?: string;
};

export type Dispute = {
  raisedBy: AgencyRef;
  about: string;
  level: DisputeLevel;
  raisedAt: string;
  hadLead: boolean;
  /** The agency the raiser says should lead: a party to the dispute even when not otherwise involved (R-DISPUTE). */
  proposedLead?: AgencyRef;
  /** Where the case was when the dispute was raised: where it returns when the lead does not move. */
  from?: 'referral' | 'assessment' | 'leadAssignment' | 'jointCare' | 'handover';
  /** R-DISPUTE (second reading): a resolution proposed by one side, awaiting the other side's confirmation. */
  proposal?: DisputeProposal | null;
};

export type SafeguardingDecision = {
  decision: 'alertRaised' | 'noAlertReasonDocumented';
  by: AgencyRef;
  at: string;
  sharedWith: string[];
  domesticAbuse: boolean;
};

export type Incident = {
  id: string;
  kind: 'death' | 'seriousIncident';
  at: string;
  investigatedWith: string[];
  learningActions: string[] | null;
};

export type MissedAppointment = { id: string; agencyId: string; scheduledAt: string; recordedAt: string; followedUpAt: string | null };

export type PathwayContext = {
  person: { ageYears: number; area: Area | null } | null;
  referral: Referral | null;
  assessment: Assessment | null;
  quadrant: Quadrant | null;
  lead: Lead | null;
  leadProposal: { to: AgencyRef; proposedAt: string; followUpDue: string; rationale?: string } | null;
  involvements: Involvement[];
  carePlan: CarePlan | null;
  consent: { sharing: ConsentStatus; recordedAt: string | null };
  handover: Handover | null;
  /** R-STEP: a reassessment named another lead agency; cleared by an accepted handover, a kept lead or a dispute's resolution. */
  stepChange: { from: Quadrant; to: Quadrant; at: string } | null;
  dispute: Dispute | null;
  engagement: { status: 'engaged' | 'declining'; hasCapacity: boolean; since: string | null };
  /** Times an assertive approach or a safeguarding referral was recorded (R-DISENGAGE, R-SAFEGUARDING). */
  assertiveOutreachAt: string | null;
  safeguarding: { concern: 'adult' | 'child'; referredTo: string; at: string }[];
  /** R-ASSESS-ALONE: MDT consultations held about the case (P21 §7.4). */
  mdtConsultations: { agencies: string[]; outcome: string; at: string }[];
  carerAssessmentOfferedAt: string | null;
  detox: { substance: string; planAgreedAt: string | null } | null;
  deadlinesReached: { deadline: DeadlineName; ref?: string; at: string }[];
  /** R-DISENGAGE, NICE QS188 statement 4: appointments the person missed, each until a service follows it up (NICE QS188 statement 4). */
  missedAppointments: MissedAppointment[];
  closure: { reason: ClosureReason; at: string; to?: AgencyRef } | null;
  // Facts pathway version 2 added (its second reading); snapshots of version 1 lack them, so shared helpers read
  // them through the accessors below.
  /** R-SAFEGUARDING: decisions recorded on safeguarding concerns (alert raised, or the documented reason not to). */
  safeguardingDecisions: SafeguardingDecision[];
  /** R-SAFEGUARDING (P16): dependent children and caring responsibilities, as the assessment recorded them. */
  household: { dependentChildren: boolean; caringResponsibilities: boolean } | null;
  /** R-CARER: the carer's own assessment, offered whatever the person's consent. */
  carerAssessment: { offeredAt: string; accepted: boolean } | null;
  /** R-CAPACITY: what the judgment of capacity rested on when the person last declined. */
  capacity: { mentalCapacityActConsidered: boolean; mentalHealthActConsidered: boolean; collateralFrom: string[]; at: string } | null;
  /** R-CNA: the right to a Care Needs Assessment, as the joint plan records it. */
  careNeedsAssessment: CareNeedsAssessmentStatus | null;
  /** R-CLOSE-GAPLESS (c): handovers of the case accepted by their receiver. */
  handoversAccepted: { from: AgencyRef; to: AgencyRef; at: string }[];
  /** R-ED: emergency department and acute-ward presentations. */
  acutePresentations: { setting: 'emergencyDepartment' | 'acuteWard'; at: string; jointWorkingIdentified: boolean }[];
  /** R-SI: deaths and serious incidents, each with its joint investigation. */
  incidents: Incident[];
  /** Counter for ids the machine hands out (involvements), so replay gives the same ids. */
  seq: number;
};

export const initialContext: PathwayContext = {
  person: null,
  referral: null,
  assessment: null,
  quadrant: null,
  lead: null,
  leadProposal: null,
  involvements: [],
  carePlan: null,
  consent: { sharing: 'notSought', recordedAt: null },
  handover: null,
  stepChange: null,
  dispute: null,
  engagement: { status: 'engaged', hasCapacity: true, since: null },
  assertiveOutreachAt: null,
  safeguarding: [],
  mdtConsultations: [],
  carerAssessmentOfferedAt: null,
  detox: null,
  deadlinesReached: [],
  missedAppointments: [],
  closure: null,
  seq: 0,
  safeguardingDecisions: [],
  household: null,
  carerAssessment: null,
  capacity: null,
  careNeedsAssessment: null,
  handoversAccepted: [],
  acutePresentations: [],
  incidents: [],
};

/**
 * The agency answerable for the case now (R-CLARITY, R-HANDOVER-ACCEPT): the lead once assigned; while a referral
 * awaits acceptance, the service that referred (none for a self-referral); once accepted, the receiving service.
 * Referrals made before pathway version 2 did not record their sender: the receiving service answers, as it did.
 */
export const responsibleAgency = (ctx: PathwayContext): AgencyRef | null => {
  if (ctx.lead) return ctx.lead.agency;
  const r = ctx.referral;
  if (!r) return null;
  if (r.status === 'awaiting' && r.from !== undefined) return r.from;
  return r.to;
};

/** The service holding the case before a lead: the receiver of the referral (it decides, assesses and assigns). */
export const holdingAgency = (ctx: PathwayContext): AgencyRef | null => ctx.lead?.agency ?? ctx.referral?.to ?? null;

/** Snapshots of pathway version 1 lack the facts version 2 added: these read them with their empty values. */
export const safeguardingDecisionsOf = (ctx: PathwayContext): SafeguardingDecision[] => ctx.safeguardingDecisions ?? [];
export const handoversAcceptedOf = (ctx: PathwayContext) => ctx.handoversAccepted ?? [];
export const incidentsOf = (ctx: PathwayContext): Incident[] => ctx.incidents ?? [];

/**
 * R-SAFEGUARDING (second reading): a concern found by the assessment or raised since, with no decision recorded at or
 * after it (alert raised to the local authority, or the documented reason not to).
 */
export const safeguardingDecisionPending = (ctx: PathwayContext): boolean => {
  const concerns = [...ctx.safeguarding.map((s) => s.at), ...(ctx.assessment?.risks.safeguarding ? [ctx.assessment.at] : [])];
  if (concerns.length === 0) return false;
  const latest = [...concerns].sort().at(-1) ?? '';
  return !safeguardingDecisionsOf(ctx).some((d) => d.at >= latest);
};

/** The agencies a case involves now (referral receiver, lead, those asked or involved, dispute parties). */
export const agenciesInCase = (ctx: PathwayContext): string[] =>
  [
    ctx.referral?.to.id,
    ctx.lead?.agency.id,
    ctx.leadProposal?.to.id,
    ctx.handover?.to.id,
    ctx.dispute?.proposedLead?.id,
    ctx.dispute?.proposal?.lead?.id,
    ...ctx.involvements.filter((i) => i.status !== 'declined').map((i) => i.agency.id),
  ].filter((a): a is string => !!a);

/** R-DISENGAGE: risk of serious harm or severe self-neglect, from the latest assessment. */
export const atSeriousRisk = (ctx: PathwayContext): boolean =>
  !!ctx.assessment &&
  (ctx.assessment.risks.toSelf === 'high' || ctx.assessment.risks.toOthers === 'high' || ctx.assessment.risks.selfNeglect);

export const pendingInvolvements = (ctx: PathwayContext): Involvement[] => ctx.involvements.filter((i) => i.status === 'requested');

/** Snapshots persisted before missed appointments were recorded have no list: they have none. */
export const missedAppointmentsOf = (ctx: PathwayContext): MissedAppointment[] => ctx.missedAppointments ?? [];

export const currentInvolvements = (ctx: PathwayContext): Involvement[] =>
  ctx.involvements.filter((i) => i.status === 'accepted' || i.status === 'active');
