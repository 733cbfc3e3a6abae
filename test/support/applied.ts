/** A minimal applied transition (referral accepted) for tests of what listens after commit: the hub and the relay. */
import type { Applied } from '../../server/engine/applyEvent.ts';

export const appliedFixture = (caseId: string, fromState: string[] = []): Applied =>
  ({
    caseId,
    seq: 2,
    event: {
      type: 'referral.accept',
      at: '2026-03-02T09:00:00.000Z',
      actor: { id: 'p', agencyId: 'cgl-west-kent', agencyKind: 'SMS', role: 'practitioner' },
    },
    snapshot: { status: 'active', value: { active: 'assessment' }, context: {} },
    fromState,
  }) as unknown as Applied;
