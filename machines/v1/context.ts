/** The facts a case holds under pathway version 1 (frozen: see machine.ts). */
import type { AgencyRef, CarePlanInput, Coordinator } from '../events.ts';
import type {
  Area,
  ClosureReason,
  ConsentStatus,
  DeadlineName,
  DisputeLevel,
  InvolvementStatus,
  MentalHealthSeverity,
  Quadrant,
  ReferralSource,
} from '../vocab.ts';

export type Referral = {
  source: ReferralSource;
  referrer: { name: string; agencyId?: string };
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

export type Dispute = {
  raisedBy: AgencyRef;
  about: string;
  level: DisputeLevel;
  raisedAt: string;
  hadLead: boolean;
  /** The agency the raiser says should lead: a party to the dispute even when not otherwise involved (R-DISPUTE). */
  proposedLead?: AgencyRef;
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
};

/** The agency answerable for the case now: the lead once assigned, before that the receiving service. */
export const responsibleAgency = (ctx: PathwayContext): AgencyRef | null => ctx.lead?.agency ?? ctx.referral?.to ?? null;

/** R-DISENGAGE: risk of serious harm or severe self-neglect, from the latest assessment. */
export const atSeriousRisk = (ctx: PathwayContext): boolean =>
  !!ctx.assessment &&
  (ctx.assessment.risks.toSelf === 'high' || ctx.assessment.risks.toOthers === 'high' || ctx.assessment.risks.selfNeglect);

export const pendingInvolvements = (ctx: PathwayContext): Involvement[] => ctx.involvements.filter((i) => i.status === 'requested');

/** Snapshots persisted before missed appointments were recorded have no list: they have none. */
export const missedAppointmentsOf = (ctx: PathwayContext): MissedAppointment[] => ctx.missedAppointments ?? [];

export const currentInvolvements = (ctx: PathwayContext): Involvement[] =>
  ctx.involvements.filter((i) => i.status === 'accepted' || i.status === 'active');
