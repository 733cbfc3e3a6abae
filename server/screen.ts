/**
 * Input screening at the edge: text no database column can hold (NUL, lone UTF-16 surrogates) and dates outside any
 * plausible record (before 1900, after 2200) are refused as 400 problem+json before a route or the database sees them.
 */
import type { MiddlewareHandler } from 'hono';
import type { Env } from './env.ts';
import { problems } from './problem.ts';

/** The years a date in this service may fall in: births from 1900, plans and reviews up to 2200. */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2200;

/** NUL tested by `includes`: a regular expression may not spell a control character. */
const nul = { test: (s: string) => s.includes('\u0000') };
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** An ISO 8601 date or date-time, with the extended (±YYYYYY) years JavaScript prints for far dates. */
const isoDate = /^([+-]\d{6}|\d{4})-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Why a text is refused, or undefined when it may pass. */
export function unfitText(value: string): string | undefined {
  if (nul.test(value)) return 'contains a NUL character';
  if (loneSurrogate.test(value)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode text)';
  const date = isoDate.exec(value.trim());
  if (date?.[1]) {
    const year = Number(date[1]);
    if (year < EARLIEST_YEAR || year > LATEST_YEAR) return `is a date outside ${EARLIEST_YEAR}–${LATEST_YEAR}`;
  }
  return undefined;
}

/** Whether a moment is within the years a record may name. */
export const inSaneRange = (d: Date): boolean =>
  !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= EARLIEST_YEAR && d.getUTCFullYear() <= LATEST_YEAR;

/** The first unfit string in a parsed JSON value (keys too), with its path; iterative, as bodies may nest deeply. */
function unfitIn(root: unknown): { path: string; why: string } | undefined {
  const stack: [unknown, string][] = [[root, '']];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, path] = item;
    if (typeof value === 'string') {
      const why = unfitText(value);
      if (why) return { path, why };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value).reverse()) {
        if (nul.test(k) || loneSurrogate.test(k)) return { path: path || '(body)', why: 'has a field name that is not valid text' };
        stack.push([v, path ? `${path}.${k}` : k]);
      }
    }
  }
  return undefined;
}

const refuse = (where: string, why: string) => problems.malformed(`${where} ${why}`, [{ path: where, message: why }]);

/** Refuses unfit text in the query string, the headers and a JSON body (one place for every route). */
export const screenInput = (): MiddlewareHandler<Env> =>
  async function screenInput(c, next) {
    const url = new URL(c.req.url);
    if (/%00/i.test(url.search)) throw refuse('query string', 'contains a NUL character');
    for (const [name, value] of url.searchParams) {
      const why = unfitText(name) ?? unfitText(value);
      if (why) throw refuse(`query parameter ${JSON.stringify(name.slice(0, 50))}`, why);
    }
    for (const [name, value] of c.req.raw.headers) {
      if (nul.test(value) || loneSurrogate.test(value)) throw refuse(`header ${name}`, 'contains a character that is not valid text');
    }
    const type = c.req.header('Content-Type') ?? '';
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && /^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      // Read once here; Hono keeps the text, so the route's validator parses the same body without reading it again.
      const text = await c.req.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: the route answers its own 400; a raw NUL still never goes further.
        if (nul.test(text)) throw refuse('body', 'contains a NUL character');
        return next();
      }
      const found = unfitIn(parsed);
      if (found) throw refuse(found.path ? `body field ${found.path}` : 'body', found.why);
    }
    await next();
  };
