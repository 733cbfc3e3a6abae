/**
 * The HTTP ceiling: a bare `node:http` server (no framework, auth, validation, XState or Drizzle at request time) that
 * answers `POST /api/cases/:id/events` by parsing the JSON body, running the ceiling's two statements and sending the
 * written case row back as JSON. Beside the full stack it shows what HTTP and the load generator alone cost on this
 * machine, so the full stack's distance from the SQL ceiling can be split into theirs and ours.
 */
import { createServer } from 'node:http';
import { openDatabase } from '../db/client.ts';
import { ceilingClient, ceilingTransition } from './ceiling.ts';

const url = process.env.DATABASE_URL as string;
const database = await openDatabase({ url, max: 1 });
const transition = ceilingTransition(ceilingClient(url, Number(process.env.PG_POOL_MAX ?? 64)), database.db);
const path = /^\/api\/cases\/([^/]+)\/events$/;

createServer((req, res) => {
  const id = req.method === 'POST' ? path.exec(req.url ?? '')?.[1] : undefined;
  if (req.url === '/readyz') return void res.end('ready');
  if (!id) return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return void res.writeHead(400).end();
    }
    transition(id).then(
      (row) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(row)),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
}).listen(Number(process.env.PORT));
