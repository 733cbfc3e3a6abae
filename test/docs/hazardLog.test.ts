/**
 * The hazard log (docs/safety/hazard-log.md) holds together: every hazard has its fields, its risks follow from the
 * DCB0129 matrix, every control names rules that exist and tests that exist, and the rules of the headline guarantee
 * and of the second reading are all covered.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ruleIds } from '../../machines/rules.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const log = readFileSync(join(root, 'docs/safety/hazard-log.md'), 'utf8');

const severities = ['Minor', 'Significant', 'Considerable', 'Major', 'Catastrophic'] as const;
const likelihoods = ['Very low', 'Low', 'Medium', 'High', 'Very high'] as const;
/** DCB0129's clinical risk matrix: rows by likelihood (very low first), columns by severity (minor first). */
const matrix: Record<(typeof likelihoods)[number], number[]> = {
  'Very low': [1, 1, 2, 2, 3],
  Low: [1, 2, 2, 3, 4],
  Medium: [2, 2, 3, 3, 4],
  High: [2, 3, 3, 4, 5],
  'Very high': [3, 4, 4, 5, 5],
};
const riskOf = (severity: string, likelihood: string): number | undefined =>
  matrix[likelihood as (typeof likelihoods)[number]]?.[severities.indexOf(severity as (typeof severities)[number])];

const fields = [
  'Hazard',
  'Cause',
  'Effect',
  'Harm',
  'Initial severity',
  'Initial likelihood',
  'Initial risk',
  'Controls',
  'Residual severity',
  'Residual likelihood',
  'Residual risk',
  'Status',
] as const;
type Hazard = { id: string; title: string; fields: Record<string, string> };

/** Each `### H-nn title` section with its `| field | value |` rows. */
function hazards(): Hazard[] {
  return log
    .split(/^### (?=H-\d\d )/m)
    .slice(1)
    .map((section) => {
      const [heading = '', ...rows] = section.split('\n');
      const [id = '', ...title] = heading.split(' ');
      const entries = rows
        .filter((r) => r.startsWith('| ') && !r.startsWith('| field') && !r.startsWith('| ---'))
        .map((r) => {
          const cells = r.slice(2, -2).split(' | ');
          return [cells[0] ?? '', cells.slice(1).join(' | ')] as const;
        });
      return { id, title: title.join(' '), fields: Object.fromEntries(entries) };
    });
}

/** The controls of a hazard, each with the rule ids and test references it names. */
function controls(h: Hazard): { text: string; rules: string[]; tests: string[] }[] {
  return (h.fields.Controls ?? '').split('<br>').map((text) => {
    const rulesPart = text.match(/Rules: (.*?)\. Tests:/)?.[1] ?? '';
    const testsPart = text.split('Tests: ')[1] ?? '';
    return {
      text,
      rules: rulesPart
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      tests: [...testsPart.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''),
    };
  });
}

/** Every test file under test/, with its text. */
function testFiles(dir = join(root, 'test')): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [k, v] of testFiles(path)) out.set(k, v);
    else if (/\.test\.tsx?$/.test(name)) out.set(relative(root, path), readFileSync(path, 'utf8'));
  }
  return out;
}
const files = testFiles();

/** Why a test reference does not resolve, or null when it does. */
function unresolved(ref: string): string | null {
  if (/^T-[A-Z]+-\d+$/.test(ref)) {
    const titled = [...files.values()].some((text) =>
      new RegExp(`(?:it|test|describe)(?:\\.each\\([^)]*\\))?\\(\\s*[\`'"][^\`'"]*\\[${ref}\\]`).test(text),
    );
    return titled ? null : `no test title contains [${ref}]`;
  }
  const [file = '', ...titles] = ref.split(' › ');
  const text = files.get(file);
  if (!text) return `no test file ${file}`;
  if (titles.length === 0) return `no title after ${file}`;
  const missing = titles.filter((t) => !["'", '"', '`'].some((q) => text.includes(`${q}${t}${q}`)));
  return missing.length ? `${file} has no test titled ${missing.map((t) => JSON.stringify(t)).join(', ')}` : null;
}

describe('the hazard log (docs/safety/hazard-log.md)', () => {
  const all = hazards();

  it('[T-DOC-03] names only tests that exist in test/: each test id in a test title, each `file › title` in that file', () => {
    const refs = new Set([
      ...all.flatMap((h) => controls(h).flatMap((c) => c.tests)),
      ...[...log.matchAll(/`(T-[A-Z]+-\d+)`/g)].map((m) => m[1] ?? ''),
    ]);
    expect(refs.size).toBeGreaterThan(0);
    const broken = [...refs].map((ref) => [ref, unresolved(ref)] as const).filter(([, why]) => why !== null);
    expect(broken).toEqual([]);
  });

  it('[T-DOC-04] gives each hazard, H-01 onwards, every field, and risks that follow from the DCB0129 matrix', () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
    all.forEach((h, i) => {
      expect(h.id).toBe(`H-${String(i + 1).padStart(2, '0')}`);
      expect(h.title.trim().length).toBeGreaterThan(0);
      for (const f of fields) expect(h.fields[f]?.trim(), `${h.id} ${f}`).toBeTruthy();
      for (const stage of ['Initial', 'Residual'] as const) {
        const severity = h.fields[`${stage} severity`] ?? '';
        const likelihood = h.fields[`${stage} likelihood`] ?? '';
        expect(severities, `${h.id} ${stage} severity`).toContain(severity);
        expect(likelihoods, `${h.id} ${stage} likelihood`).toContain(likelihood);
        expect(Number(h.fields[`${stage} risk`]), `${h.id} ${stage} risk`).toBe(riskOf(severity, likelihood));
      }
      expect(Number(h.fields['Residual risk'])).toBeLessThanOrEqual(Number(h.fields['Initial risk']));
    });
  });

  it('[T-DOC-05] names in every control the rules it enforces (ids of machines/rules.ts) and at least one test that proves it', () => {
    for (const h of all) {
      for (const c of controls(h)) {
        expect(c.rules.length, `${h.id}: ${c.text}`).toBeGreaterThan(0);
        expect(
          c.rules.filter((r) => !(ruleIds as string[]).includes(r)),
          `${h.id}: ${c.text}`,
        ).toEqual([]);
        expect(c.tests.length, `${h.id}: ${c.text}`).toBeGreaterThan(0);
      }
    }
  });

  it('[T-DOC-06] covers every rule of the headline guarantee and of the second reading', () => {
    const covered = new Set(all.flatMap((h) => controls(h).flatMap((c) => c.rules)));
    const required = [
      'R-LEAD-ACCEPTED',
      'R-CLOSE-GAPLESS',
      'R-HANDOVER-ACCEPT',
      'R-HANDOVER-DECLINE',
      'R-DISPUTE',
      'R-CLARITY',
      'R-REF-ONWARD',
      'R-REVIEW',
      'R-SAFEGUARDING',
      'R-REF-FOLLOWUP',
      'R-REF-NOINTOX',
      'R-CARER',
      'R-CNA',
      'R-CAPACITY',
      'R-STOP-DRINKING',
      'R-ED',
      'R-RISK-CHANGE',
      'R-CHALLENGE',
      'R-CRISIS-SOURCE',
      'R-S117',
      'R-SI',
    ];
    expect(required.filter((r) => !covered.has(r))).toEqual([]);
  });
});
