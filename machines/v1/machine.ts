/**
 * Pathway version 1, as released on 2026-11-10 and run until version 2: frozen. Cases opened under it keep it until a
 * migration moves them (docs/decisions/0010-pathway-versions.md), and their histories must replay on it exactly as they
 * were judged, so nothing in this folder is ever changed — a correction is a new version.
 */
import { and, setup } from 'xstate';
import type { PathwayEvent } from '../events.ts';
import { actions } from './actions.ts';
import { initialContext, type PathwayContext } from './context.ts';
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
  'sharingPermitted',
];
const declineValid: GuardName[] = ['declineNotForSubstanceUse', 'declineGivesReasons'];
const handoverValid: GuardName[] = [
  'isLeadAgency',
  'redirectsElsewhere',
  'handoverContentComplete',
  'inpatientTransferPlanned',
  'leadFollowsQuadrant',
  'sharingPermitted',
];

/** The receiving service decides on a referral, in triage or not (R-REF-TRIAGE, R-REF-ONWARD). */
const receivingDecision = {
  'referral.accept': { guard: 'isReferralReceiver', target: '#pathway.active.assessment', actions: 'acceptReferral' },
  'referral.decline': {
    guard: all('isReferralReceiver', 'declineNotForSubstanceUse', 'declineExplained'),
    target: '#pathway.closed',
    actions: 'declineReferral',
  },
  'referral.redirect': {
    guard: all('isReferralReceiver', 'redirectsElsewhere', 'sharingPermitted'),
    target: '#pathway.active.referral.awaitingAcceptance',
    actions: 'redirectReferral',
  },
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
  version: '1',
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
        'consent.record': { guard: 'isInvolvedAgency', actions: 'recordConsent' },
        'carer.offerAssessment': { guard: all('isInvolvedAgency', 'carerConsent'), actions: 'recordCarerOffer' },
        'engagement.decline': { guard: 'isInvolvedAgency', actions: 'recordDisengagement' },
        'engagement.resume': { guard: 'isInvolvedAgency', actions: 'recordReengagement' },
        'engagement.assertiveOutreach': { guard: 'isInvolvedAgency', actions: 'recordAssertiveOutreach' },
        'involvement.request': {
          guard: all(
            'isResponsibleAgency',
            'referralAccepted',
            'notAlreadyInvolved',
            'referralContentComplete',
            'wraparoundPrerequisites',
            'sharingPermitted',
          ),
          actions: 'requestInvolvement',
        },
        'involvement.accept': {
          guard: all('involvementAwaiting', 'isInvolvementReceiver'),
          actions: { type: 'updateInvolvement', params: { status: 'accepted' } },
        },
        'involvement.decline': {
          guard: all('involvementAwaiting', 'isInvolvementReceiver', ...declineValid, 'declineExplained'),
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
        'case.close': {
          guard: all(
            'isResponsibleAgency',
            'noPendingAcceptance',
            'noStepChangeOutstanding',
            'noOpenDispute',
            'closesToAcceptedService',
            'closureInformed',
            'disengagementSafe',
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
              on: receivingDecision,
            },
            awaitingAcceptance: {
              description: 'The receiving service has not yet accepted the referral (R-REF-FOLLOWUP)',
              meta: { deadline: 'referralFollowUp' },
              on: receivingDecision,
            },
          },
        },
        assessment: {
          description: 'The receiving service assesses both conditions and the risks (R-ASSESS-FACTORS)',
          on: {
            'assessment.record': {
              guard: all('isAssessingAgency', 'scoresInRange', 'aloneQuestionAnswered'),
              target: 'leadAssignment',
              actions: 'recordAssessment',
            },
            'mdt.consult': { guard: 'isResponsibleAgency', actions: 'recordMdtConsultation' },
          },
        },
        leadAssignment: {
          description: 'One agency takes the lead and names a care coordinator (R-LEAD-QUADRANT, R-LEAD-ONE)',
          initial: 'deciding',
          states: {
            deciding: {
              on: {
                'lead.assign': {
                  guard: all('isResponsibleAgency', 'leadFollowsQuadrant'),
                  target: '#pathway.active.jointCare',
                  actions: 'assignLead',
                },
                'lead.propose': {
                  guard: all('isResponsibleAgency', 'redirectsElsewhere', 'leadFollowsQuadrant', 'sharingPermitted'),
                  target: 'awaitingAcceptance',
                  actions: 'proposeLead',
                },
                'mdt.consult': { guard: 'isResponsibleAgency', actions: 'recordMdtConsultation' },
                'dispute.raise': { guard: 'isInvolvedAgency', target: '#pathway.active.dispute', actions: 'openDispute' },
              },
            },
            awaitingAcceptance: {
              description: 'The proposed lead agency has not yet accepted (R-HANDOVER-ACCEPT)',
              meta: { deadline: 'leadFollowUp' },
              on: {
                'lead.accept': { guard: 'isProposedLead', target: '#pathway.active.jointCare', actions: 'acceptLead' },
                'lead.decline': {
                  guard: all('isProposedLead', ...declineValid),
                  target: 'deciding',
                  actions: 'clearLeadProposal',
                },
              },
            },
          },
        },
        jointCare: {
          description: 'Services work in parallel under one lead (R-PARALLEL)',
          type: 'parallel',
          on: {
            'assessment.review': [
              {
                guard: all('isLeadAgency', 'scoresInRange', 'quadrantChangesLead'),
                target: '#pathway.active.handover.required',
                // R-STEP: mark the step change first, so it records the quadrant the case is leaving.
                actions: ['markStepChange', 'recordAssessment'],
              },
              { guard: all('isLeadAgency', 'scoresInRange'), actions: 'recordAssessment' },
            ],
            'handover.request': {
              guard: all(...handoverValid),
              target: '#pathway.active.handover.awaitingAcceptance',
              actions: 'requestHandover',
            },
            'mdt.consult': { guard: 'isInvolvedAgency', actions: 'recordMdtConsultation' },
            'dispute.raise': { guard: 'isInvolvedAgency', target: '#pathway.active.dispute', actions: 'openDispute' },
          },
          states: {
            carePlan: {
              initial: 'unplanned',
              states: {
                unplanned: {
                  on: { 'careplan.agree': { guard: all('isLeadAgency', 'carePlanComplete'), target: 'agreed', actions: 'agreeCarePlan' } },
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
                    'careplan.agree': { guard: all('isLeadAgency', 'carePlanComplete'), target: 'agreed', actions: 'agreeCarePlan' },
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
                    'detox.plan': { guard: all('isInvolvedAgency', 'detoxPlanAgreedByMdt'), target: 'planned', actions: 'planDetox' },
                    'detox.start': { guard: all('isInvolvedAgency', 'postDetoxPlanInPlace'), target: 'underway', actions: 'startDetox' },
                  },
                },
                planned: {
                  description: 'A post-detox care plan is agreed by the multi-agency team (R-DETOX)',
                  on: {
                    'detox.start': { guard: all('isInvolvedAgency', 'postDetoxPlanInPlace'), target: 'underway', actions: 'startDetox' },
                  },
                },
                underway: { on: { 'detox.complete': { guard: 'isInvolvedAgency', target: 'completed' } } },
                completed: {
                  on: {
                    'detox.plan': { guard: all('isInvolvedAgency', 'detoxPlanAgreedByMdt'), target: 'planned', actions: 'planDetox' },
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
                'dispute.raise': { guard: 'isInvolvedAgency', target: '#pathway.active.dispute', actions: 'openDispute' },
              },
            },
            awaitingAcceptance: {
              meta: { deadline: 'handoverFollowUp' },
              on: {
                'handover.accept': {
                  guard: 'isHandoverReceiver',
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
          },
        },
        dispute: {
          description: 'Responsibility is contested; the current lead stays lead throughout (R-DISPUTE)',
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
            'dispute.resolve': [
              {
                guard: all('canResolveDispute', 'resolutionNamesParty', 'leadFollowsQuadrant', 'disputeBeforeLead'),
                target: '#pathway.active.jointCare',
                actions: 'resolveDispute',
              },
              {
                guard: all('canResolveDispute', 'resolutionNamesParty', 'leadFollowsQuadrant'),
                target: '#pathway.active.jointCare.history',
                actions: 'resolveDispute',
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
