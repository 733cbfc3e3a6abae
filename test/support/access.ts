/** Helpers for the access-policy suites: principals with their own tokens, server-sent streams, the access log. */
import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { accessLog } from '../../db/schema/index.ts';
import type { Role } from '../../machines/vocab.ts';
import { mintToken } from '../../server/auth.ts';
import { type TestApi, testAuth } from './api.ts';
import type { ApiResponse } from './apiChecks.ts';

/** A marker put in every free-text field a suite sends: it must never leave the server in a view without free text. */
export const sentinel = (label: string): string => `Sentinel${label}${randomBytes(5).toString('hex')}`;

/** Someone calling the API: a person of an agency in a role, with a token of their own. */
export type Caller = { sub: string; agency: string; role: Role; token: string };

/** A caller with a token minted for exactly this person (break-glass accesses are kept per person and agency). */
export async function callerOf(sub: string, agency: string, role: Role, name = `Test ${role} ${sub}`): Promise<Caller> {
  return { sub, agency, role, token: await mintToken(testAuth, { sub, name, agency, role }) };
}

/** The caller `api.request` acts as for this agency and role (its token and `sub`). */
export async function defaultCaller(api: TestApi, agency: string, role: Role = 'practitioner'): Promise<Caller> {
  return { sub: `${agency}-${role}`, agency, role, token: await api.token(agency, role) };
}

/** A JSON request as a caller, answered in the shape `api.request` answers. */
export async function requestAs(
  api: TestApi,
  caller: Caller,
  method: string,
  path: string,
  { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const h: Record<string, string> = { Authorization: `Bearer ${caller.token}`, ...headers };
  if (body !== undefined) h['Content-Type'] ??= 'application/json';
  const res = await api.app.request(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json: json as ApiResponse['json'], text };
}

export type SseEvent = { event: string; data: Record<string, unknown>; raw: string };

/** An open server-sent event stream, read in the background: everything received so far, and a way to close it. */
export type OpenStream = {
  status: number;
  headers: Headers;
  /** The body as received so far (the problem when the stream was refused). */
  readonly text: string;
  readonly events: SseEvent[];
  /** Waits until `done` holds for what has arrived (true), or the time is up (false). */
  until: (done: (events: SseEvent[], text: string) => boolean, timeoutMs?: number) => Promise<boolean>;
  /** Closes the stream as a client going away does, and waits for the reader to finish. */
  close: () => Promise<void>;
  /** The refusal as JSON (a stream that was not opened). */
  json?: Record<string, unknown>;
};

/** Opens `path` (an event stream) in-process with a bearer token and an AbortController, reading it as it arrives. */
export async function openStream(api: TestApi, token: string, path: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await api.app.request(path, { headers: { Authorization: `Bearer ${token}` }, signal: controller.signal });
  if (res.status !== 200 || !res.body) {
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: res.status,
      headers: res.headers,
      text,
      events: [],
      until: async () => false,
      close: async () => {},
      ...(json ? { json } : {}),
    };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let text = '';
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const chunk = decoder.decode(value, { stream: true });
        text += chunk;
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = block.match(/^event: (.*)$/m)?.[1];
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (event && data) events.push({ event, data: JSON.parse(data), raw: data });
        }
      }
    } catch {
      // Cancelled: nothing more will arrive.
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    get text() {
      return text;
    },
    events,
    until: async (done, timeoutMs = 2_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!done(events, text)) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 5));
      }
      return true;
    },
    close: async () => {
      controller.abort();
      // In-process the abort signal does not reach the handler: cancelling the body is what a closed connection does.
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

/** Rows in the access log now. */
export const accessLogRows = async (db: Db): Promise<number> => (await db.select({ n: count() }).from(accessLog))[0]?.n ?? 0;

/** A problem body with an id replaced, so the answer about one case can be compared with the answer about another. */
export const withoutId = (body: unknown, id: string): string => JSON.stringify(body ?? null).replaceAll(id, ':id');
