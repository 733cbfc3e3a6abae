/** The Hono environment: context variables typed once for every route and middleware. */
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { Principal } from './auth.ts';
import type { Applied } from './engine/applyEvent.ts';

export type Deps = {
  database: Database;
  verify: (authorization: string | undefined) => Promise<Principal>;
  log: Logger;
  /** The server clock; tests pass their own. */
  now: () => Date;
  /** Told of every applied transition, after commit. */
  onApplied: (applied: Applied) => void;
  /** How long a break-glass access lasts (minutes; default 240). */
  breakGlassMinutes?: number;
  /** Live streams one principal may hold open at once (default 8). */
  streamsPerPrincipal?: number;
};

export type Env = { Variables: { principal: Principal; requestId: string; deps: Deps } };
