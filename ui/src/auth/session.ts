/** The signed-in person: a bearer token kept for this browser tab, and the claims the UI shows (the server checks them). */
import { allows } from '../../../machines/access.ts';
import type { Role } from '../../../machines/vocab.ts';

export type Session = { token: string; name: string; agency: string; role: Role; expiresAt: number };
const KEY = 'pathway.token';

function claimsOf(token: string): Session | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const { sub, name, agency, role, exp } = json;
    if (typeof agency !== 'string' || typeof role !== 'string') return null;
    return {
      token,
      name: typeof name === 'string' ? name : String(sub),
      agency,
      role: role as Role,
      expiresAt: typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY,
    };
  } catch {
    return null;
  }
}

/** A token handed over by the identity provider in the URL fragment (`#token=…`) is taken once and removed from the URL. */
function fromFragment(): string | null {
  const m = window.location.hash.match(/[#&]token=([A-Za-z0-9._-]+)/);
  if (!m?.[1]) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return m[1];
}

export function currentSession(): Session | null {
  const handed = fromFragment();
  if (handed) sessionStorage.setItem(KEY, handed);
  const token = sessionStorage.getItem(KEY);
  const session = token ? claimsOf(token) : null;
  if (!session || session.expiresAt < Date.now()) return null;
  return session;
}

export const signIn = (token: string): Session | null => {
  sessionStorage.setItem(KEY, token);
  return currentSession();
};
export const signOut = () => sessionStorage.removeItem(KEY);

/** What to offer, from the same access policy the server enforces (the server still decides every request). */
export const acts = (s: Session | null): boolean => !!s && allows(s.role, 'cases.act');
export const oversees = (s: Session | null): boolean => !!s && allows(s.role, 'audits');
