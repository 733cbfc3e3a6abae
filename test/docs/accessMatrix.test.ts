/**
 * docs/access-matrix.md is what `npm run docs:access` writes now (a change of the policy without regenerating it fails
 * here), and the promises the policy makes in words — in the matrix and in docs/information-governance.md — hold for
 * every cell of `decide` they speak of.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  careRoles,
  caseActionRoutes,
  caseActions,
  consentStates,
  decide,
  oversightRoles,
  principalRoles,
  relationships,
  routeGrants,
} from '../../machines/access.ts';
import { accessDocPath, renderAccessDoc } from '../../scripts/accessDoc.ts';

describe('docs/access-matrix.md, generated from the access policy', () => {
  const committed = readFileSync(accessDocPath, 'utf8');

  it('[T-DOC-07] is exactly what the generator writes from machines/access.ts (run `npm run docs:access`)', () => {
    expect(committed).toBe(renderAccessDoc());
  });

  it('[T-DOC-08] gives every action with its route, one row per role and relationship, every route grant and the size', () => {
    for (const action of caseActions) {
      const section = (committed.slice(committed.indexOf(`\n### ${action}\n`)).split('\n### ')[1] ?? '').split('\n## ')[0] ?? '';
      expect(section, action).toContain(`\`${caseActionRoutes[action]}\``);
      const rows = section.split('\n').filter((l) => /^\| `\w+` \| `\w+` \|/.test(l));
      expect(rows, action).toHaveLength(principalRoles.length * relationships.length);
    }
    for (const g of Object.values(routeGrants)) expect(committed).toContain(`| \`${g.route}\` |`);
    const cells = principalRoles.length * caseActions.length * relationships.length * consentStates.length;
    expect(committed).toContain(`**Size.** ${cells} case cells`);
  });
});

describe('the access policy keeps its promises (machines/access.ts)', () => {
  it('[T-DOC-09] hides a case from a clinician whose agency has no part in it: read, history, stream and event are 404, whatever the consent', () => {
    for (const role of careRoles)
      for (const action of ['read', 'history', 'stream', 'event'] as const)
        for (const consent of consentStates) expect(decide(role, action, 'none', consent), `${role} ${action} ${consent}`).toBe('hidden');
  });

  it('[T-DOC-10] never gives commissioners or auditors a full view of a case, its history or its stream: pseudonymised, whatever the relationship or consent', () => {
    for (const role of oversightRoles)
      for (const action of ['read', 'history', 'stream'] as const)
        for (const relationship of relationships)
          for (const consent of consentStates) {
            expect(decide(role, action, relationship, consent), `${role} ${action} ${relationship} ${consent}`).toBe('pseudonymised');
          }
  });

  it('[T-DOC-11] R-CONSENT: without consent an agency other than the lead sees the restricted view, unless a need-to-know ground was recorded for it', () => {
    for (const role of careRoles)
      for (const action of ['read', 'history'] as const)
        for (const relationship of ['involved', 'pending', 'referrer', 'past'] as const) {
          const at = `${role} ${action} ${relationship}`;
          // An ended part never reads today's clinical record, only its history up to the end.
          const full = relationship === 'past' && action === 'read' ? 'restricted' : 'full';
          expect(decide(role, action, relationship, 'notGiven'), at).toBe('restricted');
          expect(decide(role, action, relationship, 'groundRecorded'), at).toBe(full);
          expect(decide(role, action, relationship, 'given'), at).toBe(full);
        }
  });

  it('[T-DOC-12] R-CONSENT: the lead agency sees the case, its history and its stream in full and may act on it, whatever the consent', () => {
    for (const role of careRoles)
      for (const action of ['read', 'history', 'stream', 'event'] as const)
        for (const consent of consentStates) expect(decide(role, action, 'lead', consent), `${role} ${action} ${consent}`).toBe('full');
  });

  it('[T-DOC-13] refuses the live stream to an agency whose part has ended (403), whatever the consent, while it still reads the history', () => {
    for (const role of careRoles)
      for (const consent of consentStates) {
        expect(decide(role, 'stream', 'past', consent), `${role} ${consent}`).toBe('forbidden');
        expect(decide(role, 'history', 'past', consent), `${role} ${consent}`).not.toMatch(/hidden|forbidden/);
      }
  });

  it('[T-DOC-14] R-CONSENT: break-glass gives a clinician with no part in the case the full view whatever the consent; oversight roles cannot break glass', () => {
    for (const role of careRoles) {
      for (const consent of consentStates) {
        expect(decide(role, 'breakGlass', 'none', consent), `${role} ${consent}`).toBe('full');
        for (const action of ['read', 'history'] as const)
          expect(decide(role, action, 'breakGlass', consent), `${role} ${action} ${consent}`).toBe('full');
      }
      // Who already sees the case in full has nothing to break glass for.
      expect(decide(role, 'breakGlass', 'lead', 'notGiven'), role).toBe('forbidden');
    }
    for (const role of oversightRoles)
      for (const relationship of relationships)
        expect(decide(role, 'breakGlass', relationship, 'notGiven'), `${role} ${relationship}`).toBe('forbidden');
  });
});
