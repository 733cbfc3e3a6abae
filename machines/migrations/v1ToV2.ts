/** Pathway version 1 → 2: where each state goes and how the facts change (tested in test/machines/migrations.test.ts). */
import type { PathwayContext } from '../context.ts';
import type { Migration } from '../migrate.ts';

export const v1ToV2: Migration = {
  from: 1,
  to: 2,
  states: {},
  context: (ctx) => ({ ...(ctx as unknown as PathwayContext) }),
};
