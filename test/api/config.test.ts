/** Start-up configuration: development sign-in only when asked for and never in production; no weak secrets. */
import { describe, expect, it } from 'vitest';
import { DEV_SECRET, loadConfig } from '../../server/config.ts';

const strong = 'a-production-secret-of-forty-bytes-0123456789';

describe('configuration', () => {
  it('should refuse to start without a way to verify tokens unless development mode is asked for', () => {
    expect(() => loadConfig({})).toThrow(/AUTH_SECRET .* or AUTH_JWKS_URL/);
    expect(() => loadConfig({ NODE_ENV: 'development' })).toThrow(/AUTH_MODE=development/);
    expect(loadConfig({ AUTH_MODE: 'development' }).auth).toMatchObject({ development: true, secret: DEV_SECRET });
  });

  it('should never run the development sign-in with NODE_ENV=production', () => {
    expect(() => loadConfig({ AUTH_MODE: 'development', NODE_ENV: 'production' })).toThrow(/refused with NODE_ENV=production/);
    expect(() => loadConfig({ AUTH_MODE: 'development', NODE_ENV: 'production', AUTH_SECRET: strong })).toThrow(/NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: strong }).auth).toMatchObject({ development: false, secret: strong });
  });

  it('should refuse a secret shorter than 32 bytes, and an unknown mode', () => {
    expect(() => loadConfig({ AUTH_SECRET: 'x' })).toThrow(/at least 32 bytes \(it has 1\)/);
    expect(() => loadConfig({ AUTH_SECRET: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
    expect(() => loadConfig({ AUTH_SECRET: 'x', AUTH_MODE: 'development' })).toThrow(/at least 32 bytes/);
    expect(loadConfig({ AUTH_SECRET: 'x'.repeat(32) }).auth.secret).toHaveLength(32);
    expect(() => loadConfig({ AUTH_SECRET: strong, AUTH_MODE: 'dev' })).toThrow(/AUTH_MODE must be/);
  });

  it('should cap token lifetime, limit requests and keep idempotency answers for configurable times', () => {
    const defaults = loadConfig({ AUTH_SECRET: strong });
    expect(defaults.auth.maxLifetimeSeconds).toBe(12 * 3600);
    expect(defaults.rateLimitPerMinute).toBe(1200);
    expect(defaults.idempotencyTtlMs).toBe(24 * 3_600_000);
    const set = loadConfig({ AUTH_SECRET: strong, AUTH_MAX_TOKEN_HOURS: '1', RATE_LIMIT_PER_MINUTE: '0', IDEMPOTENCY_TTL_HOURS: '2' });
    expect([set.auth.maxLifetimeSeconds, set.rateLimitPerMinute, set.idempotencyTtlMs]).toEqual([3600, 0, 7_200_000]);
    expect(() => loadConfig({ AUTH_SECRET: strong, RATE_LIMIT_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });

  it('should load the demo cohort in development only, and refuse to start in production with SEED_DEMO set', () => {
    expect(loadConfig({ AUTH_MODE: 'development' }).seedDemo).toBe(true);
    expect(loadConfig({ AUTH_MODE: 'development', SEED_DEMO: 'false' }).seedDemo).toBe(false);
    expect(loadConfig({ AUTH_SECRET: strong }).seedDemo).toBe(false);
    expect(loadConfig({ AUTH_SECRET: strong, SEED_DEMO: 'false' }).seedDemo).toBe(false);
    expect(() => loadConfig({ AUTH_SECRET: strong, SEED_DEMO: 'true' })).toThrow(
      /SEED_DEMO .*development only .*unset it to run in production/,
    );
  });

  it('should give a shutdown ten seconds to drain unless told otherwise', () => {
    expect(loadConfig({ AUTH_SECRET: strong }).shutdownGraceMs).toBe(10_000);
    expect(loadConfig({ AUTH_SECRET: strong, SHUTDOWN_GRACE_MS: '2500' }).shutdownGraceMs).toBe(2500);
  });
});
