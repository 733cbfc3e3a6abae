/** RFC 9457 problem details: the one shape every error leaves the server in. */
import type { Blocker } from '../machines/rules.ts';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  rule?: string;
  clause?: string;
  blockedBy?: Blocker[];
  errors?: { path: string; message: string }[];
};

const base = 'https://pathway.example/problems/';

/** A domain failure with a stable code, mapped to problem+json in one place (app.onError). */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;
  constructor(problem: Omit<Problem, 'type'> & { type?: string }, headers: Record<string, string> = {}) {
    super(problem.detail);
    this.problem = { ...problem, type: problem.type ?? 'about:blank' };
    this.headers = headers;
  }
}

export const problems = {
  malformed: (detail: string, errors?: Problem['errors']) =>
    new ProblemError({ type: `${base}malformed-request`, title: 'Malformed request', status: 400, detail, ...(errors ? { errors } : {}) }),
  unauthenticated: (detail: string) =>
    new ProblemError(
      { type: `${base}unauthenticated`, title: 'Authentication required', status: 401, detail },
      { 'WWW-Authenticate': 'Bearer' },
    ),
  forbidden: (detail: string, blockedBy?: Blocker[]) =>
    new ProblemError({
      type: `${base}forbidden`,
      title: 'Not permitted',
      status: 403,
      detail,
      ...(blockedBy?.[0] ? { rule: blockedBy[0].rule, clause: blockedBy[0].clause, blockedBy } : {}),
    }),
  notFound: (detail: string) => new ProblemError({ type: `${base}not-found`, title: 'Not found', status: 404, detail }),
  conflict: (detail: string) => new ProblemError({ type: `${base}conflict`, title: 'Conflict', status: 409, detail }),
  staleVersion: (current: number) =>
    new ProblemError(
      {
        type: `${base}stale-version`,
        title: 'The case has changed since you read it',
        status: 412,
        detail: `If-Match does not match the current version ${current}; reload the case and try again`,
      },
      { ETag: `"${current}"` },
    ),
  preconditionRequired: () =>
    new ProblemError({
      type: `${base}precondition-required`,
      title: 'If-Match required',
      status: 428,
      detail: 'Send If-Match with the version (ETag) of the case you read, so a change made since is not overwritten',
    }),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ProblemError(
      {
        type: `${base}too-many-requests`,
        title: 'Too many requests',
        status: 429,
        detail: `Too many requests from you in a short time; try again in ${retryAfterSeconds} s`,
      },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  tooManyStreams: (cap: number) =>
    new ProblemError(
      {
        type: `${base}too-many-streams`,
        title: 'Too many open streams',
        status: 429,
        detail: `You already hold ${cap} live streams open; close one (another tab) first`,
      },
      { 'Retry-After': '5' },
    ),
  tooLarge: (limit: number) =>
    new ProblemError({ type: `${base}too-large`, title: 'Request body too large', status: 413, detail: `The body exceeds ${limit} bytes` }),
  unsupportedMedia: () =>
    new ProblemError({
      type: `${base}unsupported-media-type`,
      title: 'Unsupported media type',
      status: 415,
      detail: 'Send the body as application/json',
    }),
  unknownAgency: (detail: string) => new ProblemError({ type: `${base}unknown-agency`, title: 'Unknown service', status: 422, detail }),
  idempotencyMismatch: () =>
    new ProblemError({
      type: `${base}idempotency-key-reused`,
      title: 'Idempotency-Key reused with a different request',
      status: 422,
      detail: 'This Idempotency-Key was first used with a different body; use a new key for a new request',
    }),
  /** The protocol refused: 422 with every blocking rule (403 when only the receiving service may act). */
  refused: (blockedBy: Blocker[]) => {
    const first = blockedBy[0];
    const forbidden = blockedBy.some((b) => b.rule === 'R-HANDOVER-ONLYRECEIVER');
    return new ProblemError({
      type: `${base}${forbidden ? 'not-the-receiving-service' : 'refused-by-protocol'}`,
      title: forbidden ? 'Only the receiving service can do this' : 'Not allowed by the care pathway now',
      status: forbidden ? 403 : 422,
      detail: blockedBy.map((b) => `${b.rule}: ${b.message}`).join('; '),
      ...(first ? { rule: first.rule, clause: first.clause } : {}),
      blockedBy,
    });
  },
  internal: () =>
    new ProblemError({ type: `${base}internal`, title: 'Internal error', status: 500, detail: 'The server failed; nothing was changed' }),
};
