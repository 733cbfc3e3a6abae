/** The dual diagnosis care pathway of Kent and Medway as one XState v5 statechart: the current version (versions.ts). */
import { and, setup } from 'xstate';
import { actions } from './actions.ts';
import { initialContext, type PathwayContext } from './context.ts';
import type { PathwayEvent } from './events.ts';
import { type GuardName, guards } from './guards.ts';

/** Guard implementations for XState, built from the specs so each keeps its rule. */
const guardImplementations = Object.fromEntries(
  Object.entries(guards).map(([name, spec]) => [
    name,
    ({ context, event }: { context: PathwayContext; event: PathwayEvent }) => spec.test(context, event),
  ]),
) as { [K in GuardName]: (args: { context: PathwayContext; event: PathwayEvent }) => boolean };

/** All of these guards must pass. */
const all = (...names: GuardName[]) => and(names);

const referralValid: GuardName[] = [
  'residentInKentOrMedway',
  'adultOrTransition',
  'selfReferralToAcceptingService',
  'validEipReferral',
  'referralContentComplete',
  'wraparoundPrerequisites',
  'crisisTeamSource',
  'liaisonByPager',
  'sharingPermitted',
];
const declineValid: GuardName[] = ['declineNotForSubstanceUse', 'declineTextNotSubstanceUse', 'declineGivesReasons'];
const handoverValid: GuardName[] = [
  'isLeadAgency',
  'redirectsElsewhere',
  'handoverContentComplete',
  'inpatientTransferPlanned',
  's117AftercareRecorded',
  'carePlanRecordsCna',
  'leadFollowsQuadrant',
  'sharingPermitted',
];
/** R-REF-ONWARD (second reading): a redirect is an onward referral and meets every referral rule for its receiver. */
const redirectValid: GuardName[] = [
  'isReferralReceiver',
  'redirectsElsewhere',
  'redirectNotToReferrer',
  'residentInKentOrMedway',
  'adultOrTransition',
  'validEipReferral',
  'referralContentComplete',
  'wraparoundPrerequisites',
  'crisisTeamSource',
  'liaisonByPager',
  'sharingPermitted',
];

/** R-DISPUTE (second reading): a dispute can be raised wherever two services disagree about who should act. */
const raiseDispute = (from: 'referral' | 'assessment' | 'leadAssignment' | 'jointCare' | 'handover') => ({
  guard: all('isDisputeParty', 'noDisputeOpen', 'disputeBetweenTwoServices'),
  target: '#pathway.active.dispute',
  actions: { type: 'openDispute' as const, params: { from } },
});

/** The receiving service decides on a referral, in triage or not (R-REF-TRIAGE, R-REF-ONWARD). */
const receivingDecision = {
  'referral.accept': { guard: 'isReferralReceiver', target: '#pathway.active.assessment', actions: 'acceptReferral' },
  'referral.decline': {
    guard: all(
      'isReferralReceiver',
      'declineNotForSubstanceUse',
      'declineTextNotSubstanceUse',
      'declineExplained',
      'declineLetterGivesRightToChallenge',
      'noSafeguardingDecisionPending',
    ),
    target: '#pathway.closed',
    actions: 'declineReferral',
  },
  'referral.redirect': [
    {
      guard: all(...redirectValid, 'redirectsToCamhs', 'camhsRedirectWritten'),
      target: '#pathway.closed',
      actions: 'redirectReferralToCamhs',
    },
    {
      guard: all(...redirectValid, 'redirectsWithinAdultServices', 'redirectNeedsTriage'),
      target: '#pathway.active.referral.triage',
      actions: 'redirectReferral',
    },
    {
      guard: all(...redirectValid, 'redirectsWithinAdultServices'),
      target: '#pathway.active.referral.awaitingAcceptance',
      actions: 'redirectReferral',
    },
  ],
  'dispute.raise': raiseDispute('referral'),
} as const;

export const pathwayMachine = setup({
  types: {
    context: {} as PathwayContext,
    events: {} as PathwayEvent,
  },
  guards: guardImplementations,
  actions,
}).createMachine({
  id: 'pathway',
  version: '2',
  description: 'A person’s journey through Kent and Medway services under the joint working protocol',
  context: initialContext,
  initial: 'new',
  states: {
    new: {
      description: 'A case exists once a referral is made (R-REF-SOURCE)',
      on: {
        'referral.make': [
          { guard: 'isUnder18Redirect', target: 'closed', actions: ['recordReferral', 'redirectToCamhs'] },
          { guard: all(...referralValid, 'needsMhsTriage'), target: 'active.referral.triage', actions: 'recordReferral' },
          {
            guard: all(...referralValid, 'goesStraightToAssessment'),
            target: 'active.assessment',
            actions: ['recordReferral', 'acceptReferral'],
          },
          { guard: all(...referralValid), target: 'active.referral.awaitingAcceptance', actions: 'recordReferral' },
        ],
      },
    },
    active: {
      description: 'The case is open: someone is answerable for it',
      initial: 'referral',
      on: {
        'safeguarding.raise': { actions: 'recordSafeguarding' },
        'safeguarding.decide': {
          guard: all('isInvolvedAgency', 'safeguardingDecisionDocumented', 'safeguardingDecisionShared', 'domesticAbuseSafetyPlan'),
          actions: 'recordSafeguardingDecision',
        },
        'consent.record': { guard: 'isInvolvedAgency', actions: 'recordConsent' },
        // R-CARER (corrected): the carer's own assessment is offered whatever the person's consent to share.
        'carer.offerAssessment': { guard: 'isInvolvedAgency', actions: 'recordCarerOffer' },
        'engagement.decline': { guard: all('isInvolvedAgency', 'capacityConsidered'), actions: 'recordDisengagement' },
        'engagement.resume': { guard: 'isInvolvedAgency', actions: 'recordReengagement' },
        'engagement.assertiveOutreach': { guard: 'isInvolvedAgency', actions: 'recordAssertiveOutreach' },
        'risk.change': { guard: all('isInvolvedAgency', 'assessmentExists', 'riskChangeNotified'), actions: 'recordRiskChange' },
        'acute.presentation': {
          guard: all('acuteSeenByMentalHealth', 'acuteServicesInformed', 'acuteDischargePlannedWithSms'),
          actions: 'recordAcutePresentation',
        },
        'incident.report': { guard: all('isInvolvedAgency', 'incidentInvestigatedJointly'), actions: 'reportIncident' },
        'incident.learning': { guard: all('isInvolvedAgency', 'investigationOpen', 'learningActionsGiven'), actions: 'recordLearning' },
        // R-REVIEW (second reading): the lead reviews the plan and reassesses whatever else is pending; in joint care
        // the deeper states answer first (a step change there starts the handover).
        'careplan.review': {
          guard: all('isLeadAgency', 'carePlanInForce', 'reviewRecordsAttendance', 'smsInvitedToCpaReview'),
          actions: 'reviewCarePlan',
        },
        'assessment.review': [
          {
            guard: all('isLeadAgency', 'scoresInRange', 'riskChangeNotified', 'quadrantChangesLead'),
            actions: ['markStepChange', 'recordAssessment'],
          },
          { guard: all('isLeadAgency', 'scoresInRange', 'riskChangeNotified'), actions: 'recordAssessment' },
        ],
        'involvement.request': {
          guard: all(
            'isResponsibleAgency',
            'referralAccepted',
            'notAlreadyInvolved',
            'referralContentComplete',
            'wraparoundPrerequisites',
            'crisisTeamSource',
            'liaisonByPager',
            'sharingPermitted',
          ),
          actions: 'requestInvolvement',
        },
        'involvement.accept': {
          guard: all('involvementAwaiting', 'isInvolvementReceiver'),
          actions: { type: 'updateInvolvement', params: { status: 'accepted' } },
        },
        'involvement.decline': {
          guard: all(
            'involvementAwaiting',
            'isInvolvementReceiver',
            ...declineValid,
            'declineExplained',
            'declineLetterGivesRightToChallenge',
          ),
          actions: { type: 'updateInvolvement', params: { status: 'declined' } },
        },
        'involvement.start': {
          guard: all('involvementAccepted', 'isInvolvementReceiver'),
          actions: { type: 'updateInvolvement', params: { status: 'active' } },
        },
        'involvement.end': {
          guard: all('involvementCurrent', 'involvementEndedByPartyOrLead'),
          actions: { type: 'updateInvolvement', params: { status: 'ended' } },
        },
        'deadline.reached': { guard: all('isSystem', 'deadlineIsDue'), actions: 'recordDeadline' },
        // R-DISENGAGE, NICE QS188 statement 4: any service involved records a missed appointment and its follow-up (NICE QS188 statement 4).
        'appointment.missed': { guard: all('isInvolvedAgency', 'appointmentNotYetRecorded'), actions: 'recordMissedAppointment' },
        'appointment.followUp': {
          guard: all('isInvolvedAgency', 'missedAppointmentAwaitsFollowUp'),
          actions: 'recordAppointmentFollowUp',
        },
        // R-CLOSE-GAPLESS: only the lead closes, with nothing pending, to a service that took the case over.
        'case.close': {
          guard: all(
            'leadExistsToClose',
            'closedByLead',
            'noPendingAcceptance',
            'noStepChangeOutstanding',
            'noOpenDispute',
            'noSafeguardingDecisionPending',
            'transferredThroughAcceptedHandover',
            'dischargeToGpWhenCareDone',
            'closesToAcceptedService',
            'closureInformed',
            'disengagementSafe',
            'closureCapacityRecorded',
            'deathInvestigatedJointly',
          ),
          target: '#pathway.closed',
          actions: 'recordClosure',
        },
      },
      states: {
        referral: {
          initial: 'awaitingAcceptance',
          states: {
            triage: {
              description: 'A mental health referral from a non-qualified referrer is triaged (R-REF-TRIAGE)',
              meta: { deadline: 'referralFollowUp' },
              on: {
                ...receivingDecision,
                // Never taken (the referral awaits its triage decision): it names the rule when someone tries.
                'assessment.record': { guard: 'triageDecidedFirst', target: '#pathway.active.assessment' },
              },
            },
            awaitingAcceptance: {
              description: 'The receiving service has not yet accepted the referral (R-REF-FOLLOWUP)',
              meta: { deadline: 'referralFollowUp' },
              on: receivingDecision,
            },
            history: { type: 'history' },
          },
        },
        assessment: {
          description: 'The receiving service assesses both conditions and the risks (R-ASSESS-FACTORS)',
          on: {
            'assessment.record': {
              guard: all(
                'isAssessingAgency',
                'scoresInRange',
                'aloneQuestionAnswered',
                'householdRecorded',
                'assessmentSafeguardingDecided',
                'safeguardingDecisionDocumented',
                'safeguardingDecisionShared',
                'domesticAbuseSafetyPlan',
              ),
              target: 'leadAssignment',
              actions: 'recordAssessment',
            },
            'mdt.consult': { guard: 'isResponsibleAgency', actions: 'recordMdtConsultation' },
            'dispute.raise': raiseDispute('assessment'),
          },
        },
        leadAssignment: {
          description: 'One agency takes the lead and names a care coordinator (R-LEAD-QUADRANT, R-LEAD-ONE)',
          initial: 'deciding',
          on: { 'dispute.raise': raiseDispute('leadAssignment') },
          states: {
            deciding: {
              on: {
                'lead.assign': {
                  guard: all('isResponsibleAgency', 'leadFollowsQuadrant', 'noSafeguardingDecisionPending'),
                  target: '#pathway.active.jointCare',
                  actions: 'assignLead',
                },
                'lead.propose': {
                  guard: all('isResponsibleAgency', 'redirectsElsewhere', 'leadFollowsQuadrant', 'sharingPermitted'),
                  target: 'awaitingAcceptance',
                  actions: 'proposeLead',
                },
                'mdt.consult': { guard: 'isResponsibleAgency', actions: 'recordMdtConsultation' },
              },
            },
            awaitingAcceptance: {
              description: 'The proposed lead agency has not yet accepted (R-HANDOVER-ACCEPT)',
              meta: { deadline: 'leadFollowUp' },
              on: {
                'lead.accept': {
                  guard: all('isProposedLead', 'noSafeguardingDecisionPending'),
                  target: '#pathway.active.jointCare',
                  actions: 'acceptLead',
                },
                'lead.decline': {
                  guard: all('isProposedLead', ...declineValid),
                  target: 'deciding',
                  actions: 'clearLeadProposal',
                },
              },
            },
            history: { type: 'history' },
          },
        },
        jointCare: {
          description: 'Services work in parallel under one lead (R-PARALLEL)',
          type: 'parallel',
          on: {
            'assessment.review': [
              {
                guard: all('isLeadAgency', 'scoresInRange', 'riskChangeNotified', 'quadrantChangesLead'),
                target: '#pathway.active.handover.required',
                // R-STEP: mark the step change first, so it records the quadrant the case is leaving.
                actions: ['markStepChange', 'recordAssessment'],
              },
              { guard: all('isLeadAgency', 'scoresInRange', 'riskChangeNotified'), actions: 'recordAssessment' },
            ],
            // A reassessment during a handover or dispute that named another lead is answered from joint care.
            'lead.retain': {
              guard: all('isLeadAgency', 'stepChangeOutstanding', 'hasRationale'),
              target: '#pathway.active.jointCare.history',
              actions: 'retainLead',
            },
            'handover.request': {
              guard: all(...handoverValid),
              target: '#pathway.active.handover.awaitingAcceptance',
              actions: 'requestHandover',
            },
            'mdt.consult': { guard: 'isInvolvedAgency', actions: 'recordMdtConsultation' },
            'dispute.raise': raiseDispute('jointCare'),
          },
          states: {
            carePlan: {
              initial: 'unplanned',
              states: {
                unplanned: {
                  on: {
                    'careplan.agree': {
                      guard: all('isLeadAgency', 'carePlanComplete', 'carePlanRecordsCna'),
                      target: 'agreed',
                      actions: 'agreeCarePlan',
                    },
                  },
                },
                agreed: {
                  description: 'A joint care and safety plan is in force and reviewed regularly (R-CAREPLAN, R-REVIEW)',
                  meta: { deadline: 'carePlanReview' },
                  on: {
                    'careplan.review': {
                      guard: all('isLeadAgency', 'reviewRecordsAttendance', 'smsInvitedToCpaReview'),
                      target: 'agreed',
                      actions: 'reviewCarePlan',
                    },
                    'careplan.agree': {
                      guard: all('isLeadAgency', 'carePlanComplete', 'carePlanRecordsCna'),
                      target: 'agreed',
                      actions: 'agreeCarePlan',
                    },
                  },
                },
                history: { type: 'history' },
              },
            },
            detox: {
              initial: 'none',
              states: {
                none: {
                  on: {
                    'detox.plan': {
                      guard: all('isInvolvedAgency', 'detoxPlanAgreedByMdt', 'smsInvolvedInAlcoholPlan'),
                      target: 'planned',
                      actions: 'planDetox',
                    },
                    'detox.start': {
                      guard: all('isInvolvedAgency', 'postDetoxPlanInPlace', 'smsInvolvedInAlcoholPlan'),
                      target: 'underway',
                      actions: 'startDetox',
                    },
                  },
                },
                planned: {
                  description: 'A post-detox care plan is agreed by the multi-agency team (R-DETOX)',
                  on: {
                    'detox.start': {
                      guard: all('isInvolvedAgency', 'postDetoxPlanInPlace', 'smsInvolvedInAlcoholPlan'),
                      target: 'underway',
                      actions: 'startDetox',
                    },
                  },
                },
                underway: { on: { 'detox.complete': { guard: 'isInvolvedAgency', target: 'completed' } } },
                completed: {
                  on: {
                    'detox.plan': {
                      guard: all('isInvolvedAgency', 'detoxPlanAgreedByMdt', 'smsInvolvedInAlcoholPlan'),
                      target: 'planned',
                      actions: 'planDetox',
                    },
                  },
                },
                history: { type: 'history' },
              },
            },
            history: { type: 'history', history: 'deep' },
          },
        },
        handover: {
          description: 'Responsibility is moving between services; the sender leads until acceptance (R-HANDOVER-ACCEPT)',
          initial: 'awaitingAcceptance',
          on: { 'dispute.raise': raiseDispute('handover') },
          states: {
            required: {
              description: 'A reassessment names another lead agency: hand over or keep the lead with a rationale (R-STEP)',
              on: {
                'handover.request': { guard: all(...handoverValid), target: 'awaitingAcceptance', actions: 'requestHandover' },
                'lead.retain': {
                  guard: all('isLeadAgency', 'hasRationale'),
                  target: '#pathway.active.jointCare.history',
                  actions: 'retainLead',
                },
              },
            },
            awaitingAcceptance: {
              meta: { deadline: 'handoverFollowUp' },
              on: {
                'handover.accept': {
                  guard: all('isHandoverReceiver', 'noSafeguardingDecisionPending'),
                  target: ['#pathway.active.jointCare.carePlan.agreed', '#pathway.active.jointCare.detox.history'],
                  actions: 'acceptHandover',
                },
                'handover.decline': [
                  {
                    guard: all('isHandoverReceiver', ...declineValid, 'handoverFromStepChange'),
                    target: 'required',
                    actions: 'clearHandover',
                  },
                  {
                    guard: all('isHandoverReceiver', ...declineValid),
                    target: '#pathway.active.jointCare.history',
                    actions: 'clearHandover',
                  },
                ],
                'handover.withdraw': [
                  { guard: all('isLeadAgency', 'handoverFromStepChange'), target: 'required', actions: 'clearHandover' },
                  { guard: 'isLeadAgency', target: '#pathway.active.jointCare.history', actions: 'clearHandover' },
                ],
              },
            },
            history: { type: 'history' },
          },
        },
        dispute: {
          description:
            'Responsibility is contested; the current lead stays lead until the service a confirmed resolution names confirms it (R-DISPUTE, R-LEAD-ACCEPTED)',
          initial: 'serviceManagers',
          states: {
            serviceManagers: {
              on: {
                'dispute.escalate': { guard: 'isInvolvedAgency', target: 'clinicalDirectors', actions: 'escalateDispute' },
              },
            },
            clinicalDirectors: {},
          },
          on: {
            // One side's manager proposes; a new proposal replaces one not yet confirmed.
            'dispute.propose': {
              guard: all(
                'canResolveDispute',
                'resolutionNamesParty',
                'newLeadDoesNotPropose',
                'leadNamedAfterAssessment',
                'leadFollowsQuadrant',
                'commissionerInputRecorded',
              ),
              actions: 'proposeResolution',
            },
            // The other side's manager confirms; when the lead moves, the new lead confirms and names its coordinator.
            'dispute.confirm': [
              {
                guard: all(
                  'resolutionAwaitsConfirmation',
                  'canResolveDispute',
                  'confirmedByOtherSide',
                  'newLeadConfirms',
                  'newLeadNamesCoordinator',
                  'noSafeguardingDecisionPending',
                  'resolutionMovesLead',
                  'disputeBeforeLead',
                ),
                target: '#pathway.active.jointCare',
                actions: 'confirmResolution',
              },
              {
                guard: all(
                  'resolutionAwaitsConfirmation',
                  'canResolveDispute',
                  'confirmedByOtherSide',
                  'newLeadConfirms',
                  'newLeadNamesCoordinator',
                  'noSafeguardingDecisionPending',
                  'resolutionMovesLead',
                ),
                target: '#pathway.active.jointCare.history',
                actions: 'confirmResolution',
              },
              {
                guard: all(
                  'resolutionAwaitsConfirmation',
                  'canResolveDispute',
                  'confirmedByOtherSide',
                  'resolutionKeepsLead',
                  'resolutionSettlesStepChange',
                ),
                target: '#pathway.active.jointCare.history',
                actions: 'confirmResolution',
              },
              ...(
                [
                  ['disputeFromReferral', '#pathway.active.referral.history'],
                  ['disputeFromAssessment', '#pathway.active.assessment'],
                  ['disputeFromLeadAssignment', '#pathway.active.leadAssignment.history'],
                  ['disputeFromHandover', '#pathway.active.handover.history'],
                ] as const
              ).map(([route, target]) => ({
                guard: all('resolutionAwaitsConfirmation', 'canResolveDispute', 'confirmedByOtherSide', 'resolutionKeepsLead', route),
                target,
                actions: 'confirmResolution' as const,
              })),
              {
                guard: all('resolutionAwaitsConfirmation', 'canResolveDispute', 'confirmedByOtherSide', 'resolutionKeepsLead'),
                target: '#pathway.active.jointCare.history',
                actions: 'confirmResolution',
              },
            ],
          },
        },
      },
    },
    closed: {
      description: 'The case is closed; a new referral opens a new episode (R-CLOSE-FINAL)',
      type: 'final',
    },
  },
});
