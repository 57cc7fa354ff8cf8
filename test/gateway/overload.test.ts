import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { deadlineSignal } from '../../src/platform/gateway/request-deadline.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { metricValue } from './support.ts';

const gate: { open?: Promise<void>; release?: () => void } = {};
let aborted = 0;

function closeGate() {
  gate.open = new Promise((resolve) => {
    gate.release = resolve;
  });
}

async function routes(app: FastifyInstance) {
  app.get('/slow', async (request, reply) => {
    deadlineSignal(request, reply).addEventListener('abort', () => {
      aborted++;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { done: true };
  });
  // A body is read before the handler runs; reading it must not abort the signal (fastify#6725).
  app.post('/echo-signal', async (request, reply) => {
    const signal = deadlineSignal(request, reply);
    await new Promise((resolve) => setTimeout(resolve, 30));
    return { aborted: signal.aborted, body: request.body };
  });
  // As health checks are: no deadline, so it outlives the 150 ms the others get.
  app.get('/unbounded', { config: { deadline: false } }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { done: true };
  });
  app.get('/held', async () => {
    await gate.open;
    return { done: true };
  });
}

describe('request timeouts', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ REQUEST_TIMEOUT_MS: '150' }, { routes });
  });
  after(() => t.close());

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After when a handler overruns, and aborts its deadline signal', async () => {
    const started = Date.now();
    const res = await t.app.inject({ url: '/v1/slow' });
    assert.ok(Date.now() - started < 800, 'answered before the handler finished');
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(aborted, 1);
  });

  it('keeps the signal of a request with a body live while its handler runs', async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${base}/v1/echo-signal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'x'.repeat(10_000) }),
      });
      assert.equal(res.status, 200);
      const { data } = (await res.json()) as { data: { aborted: boolean; body: { note: string } } };
      assert.equal(data.aborted, false);
      assert.equal(data.body.note.length, 10_000);
    } finally {
      t.app.server.closeAllConnections();
    }
  });

  it('lets a route opt out of the deadline, as health checks do', async () => {
    const res = await t.app.inject({ url: '/v1/unbounded' });
    assert.equal(res.statusCode, 200, res.body);
  });
});

describe('maximum concurrent requests per process', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await createTestApp({ MAX_CONCURRENT_REQUESTS: '3' }, { routes });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    // fetch keeps connections alive; do not wait for their idle timeout.
    t.app.server.closeAllConnections();
    await t.close();
  });

  it('refuses the request over the limit at once, keeps health checks open, and frees slots', async () => {
    closeGate();
    const held = [1, 2, 3].map(() => fetch(`${base}/v1/held`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await fetch(`${base}/v1/held`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(
      ((await refused.json()) as { errors: { code: string }[] }).errors[0]!.code,
      'SERVICE_UNAVAILABLE',
    );
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal(await metricValue(t.app, 'http_requests_in_flight'), 3);

    gate.release!();
    for (const response of await Promise.all(held)) assert.equal(response.status, 200);
    assert.equal((await fetch(`${base}/v1/held`)).status, 200);
    assert.equal(await metricValue(t.app, 'http_requests_refused_concurrency_total'), 1);
  });

  it('frees the slot of a client that gave up', async () => {
    closeGate();
    const controllers = [1, 2, 3].map(() => new AbortController());
    const abandoned = controllers.map((c) =>
      fetch(`${base}/v1/held`, { signal: c.signal }).catch(() => 'aborted'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const c of controllers) c.abort();
    assert.deepEqual(await Promise.all(abandoned), ['aborted', 'aborted', 'aborted']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await metricValue(t.app, 'http_requests_in_flight'), 0);
    gate.release!();
  });

  it('counts injected requests too', async () => {
    closeGate();
    const held = [1, 2, 3].map(() => t.app.inject({ url: '/v1/held' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await t.app.inject({ url: '/v1/held' })).statusCode, 503);
    gate.release!();
    await Promise.all(held);
    assert.equal((await t.app.inject({ url: '/v1/held' })).statusCode, 200);
  });
});
