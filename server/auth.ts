/** Bearer JWTs: verified with jose (algorithm pinned, issuer and audience checked), turned into a principal. */
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import type { Actor } from '../machines/events.ts';
import { type AgencyKind, type Role, roles } from '../machines/vocab.ts';
import type { Config } from './config.ts';
import { problems } from './problem.ts';

/** Who is calling: a person of an agency, in a role. `agencyKind` comes from the directory, never from the token. */
export type Principal = { id: string; name: string; agencyId: string; agencyKind: AgencyKind | null; role: Role };

export type AgencyLookup = (agencyId: string) => Promise<{ kind: AgencyKind } | undefined>;

export function createVerifier(auth: Config['auth'], lookup: AgencyLookup) {
  const secret = auth.secret ? new TextEncoder().encode(auth.secret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : undefined;
  const options = { issuer: auth.issuer, audience: auth.audience };
  return async function verify(authorization: string | undefined): Promise<Principal> {
    const token = authorization?.match(/^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/)?.[1];
    if (!token) throw problems.unauthenticated('Send a bearer token in the Authorization header');
    let payload: Record<string, unknown>;
    try {
      payload = jwks
        ? (await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload
        : (await jwtVerify(token, secret as Uint8Array, { ...options, algorithms: ['HS256'] })).payload;
    } catch {
      throw problems.unauthenticated('The bearer token is invalid or has expired');
    }
    const { sub, name, agency, role } = payload;
    if (typeof sub !== 'string' || typeof agency !== 'string' || typeof role !== 'string' || !roles.includes(role as Role)) {
      throw problems.unauthenticated('The token must name the person (sub), their agency and their role');
    }
    const known = await lookup(agency);
    return { id: sub, name: typeof name === 'string' ? name : sub, agencyId: agency, agencyKind: known?.kind ?? null, role: role as Role };
  };
}

/** Mints a token signed with the configured secret (development and tests). */
export async function mintToken(
  auth: Pick<Config['auth'], 'issuer' | 'audience' | 'secret'>,
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
