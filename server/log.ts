/**
 * The server's logger: pino, with an error serializer that keeps what an operator needs (type, SQLSTATE, the schema
 * object involved, where in the code) and drops what carries health data — the failed SQL and its parameters
 * (NHS numbers, names, snapshots), bodies, and any quoted value in a message.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Fields of database and driver errors that name schema objects, never values. */
const schemaFields = [
  'code',
  'severity',
  'routine',
  'table_name',
  'column_name',
  'constraint_name',
  'table',
  'column',
  'constraint',
] as const;

/**
 * A message with the values it quotes taken out: drivers and the database quote the offending value
 * (`invalid input syntax for type uuid: "…"`, `Key (nhs_number)=(…)`) and Drizzle appends the whole query and params.
 */
export function redactMessage(message: string): string {
  const firstLine = message.split('\n', 1)[0] ?? '';
  if (/^Failed query:/i.test(firstLine)) return 'Failed query (statement and parameters not logged)';
  return firstLine
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/`(?:[^`\\]|\\.)*`/g, '`…`')
    .replace(/\)=\([^)]*\)/g, ')=(…)')
    .replace(/\d{6,}/g, '…')
    .slice(0, 300);
}

/** Only the frames of a stack: its first line repeats the message. */
const framesOf = (stack: unknown): string | undefined =>
  typeof stack === 'string'
    ? stack
        .split('\n')
        .filter((line) => /^\s+at\s/.test(line))
        .slice(0, 15)
        .join('\n')
    : undefined;

export type SafeError = { type: string; message: string; stack?: string | undefined; cause?: SafeError; [field: string]: unknown };

/** An error (or anything thrown, or an `{ message }` object) as it may be logged. */
export function safeError(value: unknown, depth = 0): SafeError {
  if (value === null || typeof value !== 'object') return { type: typeof value, message: 'a non-error value was thrown' };
  const e = value as Record<string, unknown>;
  const out: SafeError = {
    type: typeof e.name === 'string' ? e.name : (value.constructor?.name ?? 'Object'),
    message: typeof e.message === 'string' ? redactMessage(e.message) : '',
  };
  for (const field of schemaFields) if (typeof e[field] === 'string' || typeof e[field] === 'number') out[field] = e[field];
  const frames = framesOf(e.stack);
  if (frames) out.stack = frames;
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1);
  return out;
}

/** Keys that must never reach a log line, wherever they sit in a logged object. */
export const redactedPaths = [
  'body',
  'params',
  'parameters',
  'query',
  'snapshot',
  'payload',
  'person',
  'headers.authorization',
  '*.body',
  '*.params',
  '*.parameters',
  '*.query',
  '*.snapshot',
  '*.payload',
  '*.person',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: { err: safeError, error: safeError },
    redact: { paths: redactedPaths, remove: true },
  };
  return destination ? pino(options, destination) : pino(options);
}
