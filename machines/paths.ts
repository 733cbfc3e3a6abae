/** State values as dotted leaf paths (`active.jointCare.carePlan.agreed`) and back. */
export type StateValue = string | { [key: string]: StateValue | undefined };

/** The current state as dotted paths of leaf states, e.g. `active.jointCare.carePlan.agreed`. */
export function statePaths(value: StateValue): string[] {
  if (typeof value === 'string') return [value];
  return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [k] : statePaths(v).map((p) => `${k}.${p}`)));
}

/** The state value of a set of leaf paths (the inverse of statePaths). */
export function stateValueOf(paths: readonly string[]): StateValue {
  if (paths.length === 1 && !paths[0]?.includes('.')) return paths[0] as string;
  const out: Record<string, string[]> = {};
  for (const path of paths) {
    const [head, ...rest] = path.split('.') as [string, ...string[]];
    out[head] = [...(out[head] ?? []), rest.join('.')];
  }
  return Object.fromEntries(
    Object.entries(out).map(([k, rests]) => [k, rests.length === 1 && !rests[0]?.includes('.') ? rests[0] : stateValueOf(rests)]),
  ) as StateValue;
}
