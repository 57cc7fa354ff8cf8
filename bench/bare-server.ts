import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

/**
 * The yardsticks, each scenario reported as a ratio to them in the same run:
 * `/bare` is the smallest Fastify route with a JSON answer; `/bare-same-bytes`
 * is the same route sending what `/health` sends (its headers and its
 * envelope, with a fresh request id and time stamp), so the gap between the
 * two is the cost of the bytes on the wire, and the rest is the app's own.
 */
const app = Fastify({ logger: false });
app.get('/bare', async () => ({ status: 'ok' }));

const HEALTH_HEADERS = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
app.get('/bare-same-bytes', async (_request, reply) => {
  const requestId = randomUUID();
  reply.header('x-request-id', requestId).headers(HEALTH_HEADERS);
  return {
    success: true,
    data: { status: 'ok' },
    errors: null,
    meta: { requestId, timestamp: new Date().toISOString(), version: 'v1' },
  };
});

const port = Number(process.argv[2] ?? 0);
const address = await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
