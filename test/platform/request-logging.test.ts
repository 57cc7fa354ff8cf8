import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';

// At info, a fast successful request writes no log line; a slow one and a failed one do.
// Generous, so that a loaded CI machine does not make the 'fast' request slow.
const SLOW_MS = 200;
let t: TestApp;
const logs: Array<Record<string, unknown>> = [];
before(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line));
  });
  t = await createTestApp(
    { LOG_LEVEL: 'info', SLOW_REQUEST_MS: String(SLOW_MS) },
    {
      logStream: stream,
      routes: async (app) => {
        app.get('/fast-thing', async () => ({ ok: true }));
        app.get('/slow-thing', async () => {
          await new Promise((resolve) => setTimeout(resolve, SLOW_MS + 50));
          return { ok: true };
        });
        app.get('/broken-thing', async () => {
          throw new Error('boom');
        });
      },
    },
  );
});
after(() => t.close());

const linesFor = (url: string) =>
  logs.filter((l) => (l.req as { url?: string } | undefined)?.url === url || JSON.stringify(l).includes(url));

it('logs nothing for a fast, successful request at info', async () => {
  // The route's first call compiles its validator and serializer: not the request under test.
  await t.app.inject({ url: '/v1/fast-thing' });
  const res = await t.app.inject({ url: '/v1/fast-thing', headers: { 'x-request-id': 'fast-1' } });
  assert.equal(res.statusCode, 200);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    logs.filter((l) => l.reqId === 'fast-1'),
    [],
  );
});

it('logs a slow request at info with its response time, and a failed one at error', async () => {
  const slow = await t.app.inject({ url: '/v1/slow-thing', headers: { 'x-request-id': 'slow-1' } });
  assert.equal(slow.statusCode, 200);
  const broken = await t.app.inject({ url: '/v1/broken-thing', headers: { 'x-request-id': 'broken-1' } });
  assert.equal(broken.statusCode, 500);
  await new Promise((resolve) => setImmediate(resolve));
  const slowLine = logs.find((l) => l.reqId === 'slow-1' && l.msg === 'slow request completed');
  assert.ok(slowLine, JSON.stringify(linesFor('/v1/slow-thing')));
  assert.equal(slowLine.level, 30);
  assert.ok((slowLine.responseTime as number) >= SLOW_MS);
  assert.equal((slowLine.res as { statusCode: number }).statusCode, 200);
  const brokenLine = logs.find((l) => l.reqId === 'broken-1' && l.msg === 'request completed');
  assert.ok(brokenLine, 'the failed request is logged when it completes');
  assert.equal(brokenLine.level, 50);
});
