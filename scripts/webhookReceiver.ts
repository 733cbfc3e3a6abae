/**
 * `npm run webhook:receive -- --secret whsec_… [--port 8787]`: an example receiver of the engine's notifications. It
 * verifies each request's Standard Webhooks signature with the subscription's secret, drops a notification it has seen
 * (by `webhook-id`: delivery is at least once), and prints what arrived. A real receiver would then fetch the case
 * (`data.links.case`) with its own token, under the access policy.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const { values } = parseArgs({ options: { secret: { type: 'string' }, port: { type: 'string', default: '8787' } } });
if (!values.secret) {
  console.error('usage: npm run webhook:receive -- --secret whsec_… [--port 8787]');
  process.exit(2);
}
const hook = new Webhook(values.secret);
const seen = new Set<string>();

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    try {
      const n = hook.verify(body, req.headers as Record<string, string>) as { id: string; type: string; data: Record<string, unknown> };
      res.statusCode = 204;
      if (seen.has(n.id)) return void console.log(`${n.id} again (already handled)`);
      seen.add(n.id);
      console.log(`${n.id} ${n.type}`, JSON.stringify(n.data));
    } catch (error) {
      res.statusCode = error instanceof WebhookVerificationError ? 401 : 400;
      console.log(`refused: ${(error as Error).message}`);
    } finally {
      res.end();
    }
  });
}).listen(Number(values.port), '127.0.0.1', () => console.log(`receiving on http://127.0.0.1:${values.port}/`));
