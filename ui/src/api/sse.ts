/** Server-sent events over fetch, so the bearer token goes in a header (EventSource cannot send one). */

export type SseMessage = { event: string; id: string | undefined; data: string };

/** Parses complete `\n\n`-separated blocks from a buffer; returns the messages and what is left over. */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  const messages: SseMessage[] = [];
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) messages.push({ event, id, data: data.join('\n') });
  }
  return { messages, rest };
}

/** Reads a stream until it ends or is aborted; resolves on a clean end, rejects on an error. */
export async function readSse(
  path: string,
  headers: Record<string, string>,
  on: { open: () => void; message: (m: SseMessage) => void },
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(path, { headers: { Accept: 'text/event-stream', ...headers }, signal });
  if (!res.ok || !res.body) throw new Error(`stream ${path} answered ${res.status}`);
  on.open();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const parsed = parseSse(buffer + value);
    buffer = parsed.rest;
    for (const m of parsed.messages) on.message(m);
  }
}
