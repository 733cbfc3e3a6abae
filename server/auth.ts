/** Bearer JWTs: verified with jose (algorithm pinned, issuer and audience checked), turned into a principal. */
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Actor } from '../machines/events.ts';
import { type AgencyKind, type Role, roles } from '../machines/vocab.ts';
import type { AuthConfig } from './config.ts';
import { problems } from './problem.ts';

/** Who is calling: a person of an agency, in a role. `agencyKind` comes from the directory, never from the token. */
export type Principal = { id: string; name: string; agencyId: string; agencyKind: AgencyKind | null; role: Role };

export type AgencyLookup = (agencyId: string) => Promise<{ kind: AgencyKind } | undefined>;

/** The directory changes rarely: each agency is looked up at most once per `ttlMs`, not on every request. */
export function rememberAgencies(lookup: AgencyLookup, ttlMs = 60_000): AgencyLookup {
  const known = new LRUCache<string, { kind: AgencyKind } | 'unknown'>({ max: 1_000, ttl: ttlMs });
  return async (agencyId) => {
    const hit = known.get(agencyId);
    if (hit) return hit === 'unknown' ? undefined : hit;
    const value = await lookup(agencyId);
    known.set(agencyId, value ?? 'unknown');
    return value;
  };
}

type Claims = { sub: string; name: string; agency: string; role: Role };

/**
 * Bodies that oversee the pathway without providing care, so are not in the service directory: their commissioners and
 * auditors are known principals. Anyone else must belong to an agency of the directory.
 */
export const oversightBodies: ReadonlyMap<string, string> = new Map([['kent-medway-icb', 'NHS Kent and Medway Integrated Care Board']]);
const oversightRoles: ReadonlySet<Role> = new Set(['commissioner', 'auditor']);
/** Roles a token may carry: every role of the pathway but the engine's own (`system`). */
const tokenRoles: ReadonlySet<string> = new Set(roles.filter((r) => r !== 'system'));
/** Seconds of clock difference between the identity provider and this server that are forgiven. */
const CLOCK_TOLERANCE_S = 60;

export function createVerifier(
  auth: Pick<AuthConfig, 'issuer' | 'audience' | 'secret' | 'jwksUrl' | 'maxLifetimeSeconds'>,
  lookupAgency: AgencyLookup,
) {
  const lookup = rememberAgencies(lookupAgency);
  // Imported once: handing jose the raw bytes would import the key again for every request.
  const secret = auth.secret
    ? crypto.subtle.importKey('raw', new TextEncoder().encode(auth.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    : undefined;
  const jwks: JWTVerifyGetKey | undefined = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : undefined;
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    requiredClaims: ['exp', 'iat', 'sub'],
    maxTokenAge: auth.maxLifetimeSeconds + CLOCK_TOLERANCE_S,
    clockTolerance: CLOCK_TOLERANCE_S,
  };
  // A token verified once is good until it expires: its claims are kept (never a refusal), so a client sending the
  // same token again is not verified again. The token's own expiry bounds each entry.
  const verified = new LRUCache<string, Claims>({ max: 10_000 });
  const claimsOf = async (token: string): Promise<Claims> => {
    const hit = verified.get(token);
    if (hit) return hit;
    const claims = await verifyToken(token);
    const ttl = typeof claims.exp === 'number' ? claims.exp * 1000 - Date.now() : 0;
    const { exp: _exp, ...kept } = claims;
    if (ttl > 0) verified.set(token, kept, { ttl });
    return kept;
  };
  const verifyToken = async (token: string): Promise<Claims & { exp?: number | undefined }> => {
    let payload: Record<string, unknown>;
    try {
      payload = jwks
        ? (await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload
        : (await jwtVerify(token, await (secret as Promise<CryptoKey>), { ...options, algorithms: ['HS256'] })).payload;
    } catch {
      throw problems.unauthenticated('The bearer token is invalid or has expired');
    }
    const { sub, name, agency, role, exp, iat } = payload;
    if (
      typeof exp !== 'number' ||
      typeof iat !== 'number' ||
      exp - iat > auth.maxLifetimeSeconds ||
      iat > Date.now() / 1000 + CLOCK_TOLERANCE_S
    ) {
      throw problems.unauthenticated(
        `The token must say when it was issued and expire within ${auth.maxLifetimeSeconds / 3600} hours of it`,
      );
    }
    if (typeof sub !== 'string' || typeof agency !== 'string' || typeof role !== 'string') {
      throw problems.unauthenticated('The token must name the person (sub), their agency and their role');
    }
    return { sub, name: typeof name === 'string' ? name : sub, agency, role: role as Role, exp };
  };
  return async function verify(authorization: string | undefined): Promise<Principal> {
    // The scheme is case-insensitive (RFC 9110 §11.1).
    const token = authorization?.match(/^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i)?.[1];
    if (!token) throw problems.unauthenticated('Send a bearer token in the Authorization header');
    const { sub, name, agency, role } = await claimsOf(token);
    // Authenticated, but nobody the pathway knows: no access to anything, reads included.
    if (!tokenRoles.has(role))
      throw problems.forbidden(`The role ${JSON.stringify(String(role).slice(0, 50))} has no access to the pathway`);
    const known = await lookup(agency);
    if (!known && !(oversightRoles.has(role) && oversightBodies.has(agency))) {
      throw problems.forbidden(
        `Agency ${agency.slice(0, 100)} is not in the service directory${oversightRoles.has(role) ? ' nor an oversight body' : ''}`,
      );
    }
    return { id: sub, name, agencyId: agency, agencyKind: known?.kind ?? null, role };
  };
}

/** Mints a token signed with the configured secret (development and tests). */
export async function mintToken(
  auth: Pick<AuthConfig, 'issuer' | 'audience' | 'secret'>,
  claims: { sub: string; name?: string; agency: string; role: Role },
  expiresIn = '8h',
): Promise<string> {
  if (!auth.secret) throw new Error('minting needs AUTH_SECRET (a JWKS-configured server verifies tokens it did not sign)');
  return new SignJWT({ name: claims.name ?? claims.sub, agency: claims.agency, role: claims.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(auth.secret));
}

/** The actor the engine stamps on an event: from authentication, never from the request body. */
export const actorOf = (p: Principal): Actor | null =>
  p.agencyKind ? { id: p.id, agencyId: p.agencyId, agencyKind: p.agencyKind, role: p.role } : null;
