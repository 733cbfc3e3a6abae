/** docs/rules.md is what `npm run docs:rules` writes now: a rule, clause or guard changed without regenerating it fails here. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ruleIds, rules } from '../../machines/rules.ts';
import { currentVersion, pathwayVersion } from '../../machines/versions.ts';
import { renderRulesDoc, rulesDocPath } from '../../scripts/rulesDoc.ts';

describe('docs/rules.md, generated from the machine', () => {
  const committed = readFileSync(rulesDocPath, 'utf8');

  it('[T-DOC-01] is exactly what the generator writes from machines/rules.ts and the pathway versions (run `npm run docs:rules`)', () => {
    expect(committed).toBe(renderRulesDoc());
  });

  it('[T-DOC-02] gives every rule id with its title and clause, and every guard of the current version under its rule', () => {
    for (const id of ruleIds) {
      expect(committed).toContain(`### ${id}\n`);
      expect(committed).toContain(`**${rules[id].title}.** Clause: ${rules[id].clause}.`);
    }
    const guards = Object.entries(pathwayVersion(currentVersion).guards);
    expect(guards.length).toBeGreaterThan(0);
    for (const [name, spec] of guards) {
      const section = committed.slice(committed.indexOf(`### ${spec.rule}\n`)).split('\n### ')[0] ?? '';
      expect(section, `guard ${name} under ${spec.rule}`).toContain(`- \`${name}\``);
    }
  });
});
