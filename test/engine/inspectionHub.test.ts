/** The inspection hub's subscriptions: a stream that unsubscribes twice (on abort and when its loop ends) must not drop a newer one. */
import { describe, expect, it } from 'vitest';
import { createInspectionHub } from '../../server/inspection.ts';
import { appliedFixture } from '../support/applied.ts';

const applied = (caseId: string) => appliedFixture(caseId);

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
