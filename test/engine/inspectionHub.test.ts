/** The inspection hub's subscriptions: a stream that unsubscribes twice (on abort and when its loop ends) must not drop a newer one. */
import { describe, expect, it } from 'vitest';
import type { Applied } from '../../server/engine/applyEvent.ts';
import { createInspectionHub } from '../../server/inspection.ts';

const applied = (caseId: string) =>
  ({
    caseId,
    seq: 2,
    event: {
      type: 'referral.accept',
      at: '2026-03-02T09:00:00.000Z',
      actor: { id: 'p', agencyId: 'cgl-west-kent', agencyKind: 'SMS', role: 'practitioner' },
    },
    snapshot: { status: 'active', value: { active: 'assessment' }, context: {} },
    fromState: [],
  }) as unknown as Applied;

describe('createInspectionHub', () => {
  it('should keep delivering to a new subscriber when an old one of the same case unsubscribes again', () => {
    const hub = createInspectionHub();
    const old = hub.subscribe('case-1', () => {});
    old();
    const seen: string[] = [];
    hub.subscribe('case-1', (e) => seen.push(e.type));
    old();
    hub.report(applied('case-1'));
    expect(seen).toEqual(['@xstate.event', '@xstate.snapshot']);
  });
});
