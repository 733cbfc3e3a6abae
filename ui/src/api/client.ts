/** HTTP to our own server only: bearer token from the session, problem+json turned into ApiError. */
import type { Blocker } from '../../../machines/rules.ts';
import { currentSession, signOut } from '../auth/session.ts';

export type Problem = {
  type?: string;
  title: string;
  status: number;
  detail: string;
  rule?: string;
  clause?: string;
  blockedBy?: Blocker[];
  errors?: { path: string; message: string }[];
};

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status() {
    return this.problem.status;
  }
}

export type Sent<T> = { data: T; etag: string | null };

export const authHeaders = (): Record<string, string> => {
  const s = currentSession();
  return s ? { Authorization: `Bearer ${s.token}` } : {};
};

export async function request<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Sent<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(), ...init.headers };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const problem = (body as Problem | undefined) ?? { title: res.statusText, status: res.status, detail: res.statusText };
    if (res.status === 401) {
      signOut();
      window.dispatchEvent(new Event('pathway:signed-out'));
    }
    throw new ApiError({ ...problem, status: res.status });
  }
  return { data: body as T, etag: res.headers.get('ETag') };
}

export const get = async <T>(path: string, signal?: AbortSignal): Promise<T> => (await request<T>(path, { signal })).data;

/** A query string from the filters that are set. */
export const qs = (params: Record<string, string | number | undefined | null>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
};
