/** Configuration, from environment variables only (documented in the README). */
import { resolve } from 'node:path';

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
  auth: { issuer: string; audience: string; secret: string | undefined; jwksUrl: string | undefined; devSecret: boolean };
  seedDemo: boolean;
  logLevel: string;
};

/** The development signing secret: used only when no secret or JWKS is configured, and said so in the log. */
export const DEV_SECRET = 'development-only-secret-do-not-use-in-production-0123456789';

const roleName = /^[a-z_][a-z0-9_]{0,62}$/;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseRole = env.DATABASE_ROLE ?? 'pathway_app';
  if (databaseRole !== '' && !roleName.test(databaseRole))
    throw new Error(`DATABASE_ROLE ${JSON.stringify(databaseRole)} is not a role name`);
  const secret = env.AUTH_SECRET;
  const jwksUrl = env.AUTH_JWKS_URL;
  if (env.NODE_ENV === 'production' && !secret && !jwksUrl) {
    throw new Error('AUTH_SECRET or AUTH_JWKS_URL must be set in production');
  }
  return {
    port: Number(env.PORT ?? 3000),
    databaseUrl: env.DATABASE_URL || undefined,
    migrationUrl: env.DATABASE_MIGRATION_URL || undefined,
    databaseRole: databaseRole || undefined,
    poolMax: Number(env.PG_POOL_MAX ?? 10),
    workers: Number(env.SERVER_WORKERS ?? 1),
    dataDir: resolve(env.DATA_DIR ?? './data'),
    auth: {
      issuer: env.AUTH_ISSUER ?? 'dual-diagnosis-pathway',
      audience: env.AUTH_AUDIENCE ?? 'pathway-api',
      secret: secret ?? (jwksUrl ? undefined : DEV_SECRET),
      jwksUrl,
      devSecret: !secret && !jwksUrl,
    },
    seedDemo: env.SEED_DEMO !== 'false',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
