/** The statechart as plain JSON — states, transitions, guards with their rules, deadlines — for drawing. */
import type { AnyStateNode } from 'xstate';
import { eventCatalog } from './catalog.ts';
import { deadlineDays, stateTargetDays } from './config.ts';
import type { EventType } from './events.ts';
import { guardNames } from './explain.ts';
import type { GuardName } from './guards.ts';
import { type RuleId, rules } from './rules.ts';
import { currentVersion, pathwayVersion } from './versions.ts';
import type { DeadlineName } from './vocab.ts';

export type StateDefinition = {
  id: string;
  key: string;
  parent: string | null;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  initial: string | null;
  description: string | null;
  deadline: { name: DeadlineName; days: number } | null;
  targetDays: number | null;
};
export type TransitionDefinition = {
  source: string;
  event: EventType;
  label: string;
  targets: string[];
  guards: { name: GuardName | string; rule: RuleId; clause: string; route: boolean }[];
};
export type PathwayDefinition = { id: string; version: number; states: StateDefinition[]; transitions: TransitionDefinition[] };

/** `pathway.active.jointCare` → `active.jointCare`: ids relative to the machine, as statePaths() gives them. */
const pathOf = (node: AnyStateNode): string => node.path.join('.');

/** The chart of one pathway version (the current one by default). */
export function pathwayDefinition(version: number = currentVersion): PathwayDefinition {
  const { machine, guards } = pathwayVersion(version);
  const states: StateDefinition[] = [];
  const transitions: TransitionDefinition[] = [];
  const visit = (node: AnyStateNode, parent: AnyStateNode | null) => {
    const id = pathOf(node);
    if (parent) {
      const deadline = (node.meta as { deadline?: DeadlineName } | undefined)?.deadline ?? null;
      states.push({
        id,
        key: node.key,
        parent: parent.parent ? pathOf(parent) : null,
        type: node.type,
        initial: node.initial?.target[0] ? pathOf(node.initial.target[0]) : null,
        description: node.description ?? null,
        deadline: deadline ? { name: deadline, days: deadlineDays[deadline] } : null,
        // Targets are keyed without the `active.` every open state shares.
        targetDays: stateTargetDays[id.replace(/^active\./, '')] ?? null,
      });
    }
    for (const [event, list] of node.transitions) {
      for (const t of list) {
        const names = guardNames(t);
        transitions.push({
          source: parent ? id : '',
          event: event as EventType,
          label: eventCatalog[event as EventType].label,
          targets: (t.target ?? []).map(pathOf),
          guards: names.map((name) => {
            const spec = guards[name];
            if (!spec) throw new Error(`pathway version ${version}: no guard ${name}`);
            return { name, rule: spec.rule, clause: rules[spec.rule].clause, route: 'route' in spec };
          }),
        });
      }
    }
    for (const child of Object.values(node.states)) visit(child, node);
  };
  visit(machine.root, null);
  return { id: machine.id, version, states, transitions };
}
