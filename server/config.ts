/** Configuration, from environment variables only (documented in the README). */
import { resolve } from 'node:path';

export type AuthConfig = {
  issuer: string;
  audience: string;
  secret: string | undefined;
  jwksUrl: string | undefined;
  /** Development sign-in (`/api/dev`) and, without AUTH_SECRET, the development signing secret: AUTH_MODE=development only. */
  development: boolean;
  /** The longest a token may live (`exp` − `iat`), in seconds; older or longer-lived tokens are refused. */
  maxLifetimeSeconds: number;
};

export type Config = {
  port: number;
  databaseUrl: string | undefined;
  /** Migrations run with this URL (the tables' owner) when given; else with DATABASE_URL. */
  migrationUrl: string | undefined;
  /** The role the server's statements run as; undefined runs them as the connecting user. */
  databaseRole: string | undefined;
  poolMax: number;
  /** Server processes sharing the port (PostgreSQL only). */
  workers: number;
  dataDir: string;
  auth: AuthConfig;
  /** The synthetic demo cohort into an empty embedded database: development only. */
  seedDemo: boolean;
  /** How long a shutdown (SIGTERM, SIGINT) lets in-flight requests finish before cutting them, in milliseconds. */
  shutdownGraceMs: number;
  logLevel: string;
  /** Requests per principal per minute (0: no limit). */
  rateLimitPerMinute: number;
  /** How long a break-glass access lasts (docs/information-governance.md). */
  breakGlassMinutes: number;
  /** Live inspection streams one principal may hold open at once. */
  streamsPerPrincipal: number;
  /** How long an Idempotency-Key's answer is kept for a retry, in milliseconds. */
  idempotencyTtlMs: number;
};

/** The development signing secret: used only with AUTH_MODE=development and no AUTH_SECRET, and said so in the log. */
export const DEV_SECRET = 'development-only-secret-do-not-use-in-production-0123456789';
/** HS256 keys shorter than this are refused (RFC 7518 §3.2: a key at least as long as the hash output). */
export const MIN_SECRET_BYTES = 32;

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number, { min = 0 } = {}): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number of at least ${min} (got ${JSON.stringify(raw)})`);
  return value;
};

const roleName = /^[a-z_][a-z0-9_]{0,62}$/;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseRole = env.DATABASE_ROLE ?? 'pathway_app';
  if (databaseRole !== '' && !roleName.test(databaseRole))
    throw new Error(`DATABASE_ROLE ${JSON.stringify(databaseRole)} is not a role name`);
  const secret = env.AUTH_SECRET || undefined;
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  const mode = env.AUTH_MODE || 'production';
  if (mode !== 'production' && mode !== 'development') throw new Error(`AUTH_MODE must be development or production (got ${mode})`);
  const development = mode === 'development';
  if (development && env.NODE_ENV === 'production') {
    throw new Error('AUTH_MODE=development is refused with NODE_ENV=production: the development sign-in never runs in production');
  }
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`AUTH_SECRET must be at least ${MIN_SECRET_BYTES} bytes (it has ${Buffer.byteLength(secret, 'utf8')})`);
  }
  if (!development && !secret && !jwksUrl) {
    throw new Error(
      'Set AUTH_SECRET (at least 32 bytes) or AUTH_JWKS_URL to verify tokens; for the development sign-in on your own machine use AUTH_MODE=development (npm start does)',
    );
  }
  if (!development && env.SEED_DEMO && env.SEED_DEMO !== 'false') {
    throw new Error(
      'SEED_DEMO loads a SYNTHETIC demo cohort and is for development only (AUTH_MODE=development, as npm start runs it): unset it to run in production',
    );
  }
  return {
    port: number(env, 'PORT', 3000),
    databaseUrl: env.DATABASE_URL || undefined,
    migrationUrl: env.DATABASE_MIGRATION_URL || undefined,
    databaseRole: databaseRole || undefined,
    poolMax: number(env, 'PG_POOL_MAX', 10, { min: 1 }),
    workers: number(env, 'SERVER_WORKERS', 1, { min: 1 }),
    dataDir: resolve(env.DATA_DIR ?? './data'),
    auth: {
      issuer: env.AUTH_ISSUER ?? 'dual-diagnosis-pathway',
      audience: env.AUTH_AUDIENCE ?? 'pathway-api',
      secret: secret ?? (development && !jwksUrl ? DEV_SECRET : undefined),
      jwksUrl,
      development,
      maxLifetimeSeconds: number(env, 'AUTH_MAX_TOKEN_HOURS', 12, { min: 0.01 }) * 3600,
    },
    seedDemo: development && env.SEED_DEMO !== 'false',
    shutdownGraceMs: number(env, 'SHUTDOWN_GRACE_MS', 10_000),
    logLevel: env.LOG_LEVEL ?? 'info',
    rateLimitPerMinute: number(env, 'RATE_LIMIT_PER_MINUTE', 1200),
    breakGlassMinutes: number(env, 'BREAK_GLASS_MINUTES', 240, { min: 1 }),
    streamsPerPrincipal: number(env, 'STREAMS_PER_PRINCIPAL', 8, { min: 1 }),
    idempotencyTtlMs: number(env, 'IDEMPOTENCY_TTL_HOURS', 24, { min: 0.001 }) * 3_600_000,
  };
}
