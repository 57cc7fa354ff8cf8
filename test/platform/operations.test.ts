import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { STARTUP_GRACE_MS } from '../../src/platform/gateway/load-shedding.ts';
import { startMetricsServer } from '../../src/platform/observability/metrics-server.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

describe('operations endpoints', () => {
  let t: TestApp;
  const logs: string[] = [];
  before(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    t = await createTestApp(
      { LOG_LEVEL: 'info' },
      {
        logStream: stream,
        routes: async (app) => {
          app.post('/login-like', async (request) => {
            request.log.info({ body: request.body, token: 'tok-123456' }, 'handling a login');
            return { ok: true };
          });
        },
      },
    );
  });
  after(() => t.close());

  it('answers /health and /ready in the envelope', async () => {
    const health = await t.app.inject({ url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json().data, { status: 'ok' });
    const ready = await t.app.inject({ url: '/ready' });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().data.checks.database, 'ok');
  });

  it('exposes Prometheus metrics with request durations and pool gauges', async () => {
    await t.app.inject({ url: '/health' });
    const res = await t.app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    assert.match(res.body, /http_request_duration_seconds_bucket\{.*route="\/health".*status_code="200"/);
    assert.match(res.body, /db_pool_connections_total\{pool="primary"\} \d+/);
    assert.match(res.body, /process_cpu_user_seconds_total/);
  });

  it('with METRICS_TOKEN, serves /metrics (API and worker) only to that bearer token', async () => {
    const token = 'scrape-secret-1234';
    const guarded = await createTestApp({ METRICS_TOKEN: token });
    try {
      const none = await guarded.app.inject({ url: '/metrics' });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().errors[0].code, 'UNAUTHENTICATED');
      const wrong = await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.statusCode, 401);
      const right = await guarded.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(right.statusCode, 200);
      assert.match(right.body, /process_cpu_user_seconds_total/);
    } finally {
      await guarded.close();
    }
    const worker = await startMetricsServer(t.platform.metrics, 0, '127.0.0.1', token);
    try {
      const url = `http://127.0.0.1:${worker.port}/metrics`;
      assert.equal((await fetch(url)).status, 401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
    } finally {
      await worker.close();
    }
  });

  it("serves the worker's /health and /ready probes beside /metrics, without the metrics token", async () => {
    const failing = { name: 'nats', check: () => Promise.reject(new Error('down')) };
    const worker = await startMetricsServer(
      t.platform.metrics,
      0,
      '127.0.0.1',
      'probe-token',
      t.platform.readiness,
    );
    const broken = await startMetricsServer(t.platform.metrics, 0, '127.0.0.1', undefined, [
      ...t.platform.readiness,
      failing,
    ]);
    try {
      const base = `http://127.0.0.1:${worker.port}`;
      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual((await health.json()).data, { status: 'ok' });
      const ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 200);
      const body = await ready.json();
      assert.equal(body.success, true);
      assert.equal(body.data.checks.database, 'ok');
      assert.equal((await fetch(`${base}/metrics`)).status, 401);
      assert.equal((await fetch(`${base}/nothing`)).status, 404);
      const notReady = await fetch(`http://127.0.0.1:${broken.port}/ready`);
      assert.equal(notReady.status, 503);
      assert.equal(notReady.headers.get('retry-after'), '5');
      const error = await notReady.json();
      assert.equal(error.errors[0].code, 'SERVICE_UNAVAILABLE');
      assert.match(error.errors[0].message, /nats/);
    } finally {
      await Promise.all([worker.close(), broken.close()]);
    }
  });

  it('logs JSON with the request id and without secrets', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/login-like',
      headers: {
        authorization: 'Basic abc.def.ghi',
        cookie: 'rt=secret-cookie',
        'x-request-id': 'log-test-1',
      },
      payload: { email: 'a@example.com', password: 'hunter2-hunter2' },
    });
    assert.equal(res.statusCode, 200);
    const line = logs.find((l) => l.includes('handling a login'));
    assert.ok(line, 'the handler log line is written');
    const parsed = JSON.parse(line);
    assert.equal(parsed.reqId, 'log-test-1');
    assert.equal(parsed.body.password, '[redacted]');
    assert.equal(parsed.token, '[redacted]');
    const all = logs.join('\n');
    for (const secret of ['hunter2-hunter2', 'tok-123456', 'abc.def.ghi', 'secret-cookie']) {
      assert.ok(!all.includes(secret), `${secret} must not be logged`);
    }
  });

  it('publishes a valid OpenAPI 3.1 document and a docs page', async () => {
    const res = await t.app.inject({ url: '/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    const document = res.json();
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.paths['/health']);
    const validator = new Validator();
    const result = await validator.validate(document);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    const docs = await t.app.inject({ url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /<html/i);
  });
});

describe('readiness when a dependency is down', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(() => t.close());

  it('answers 503 naming the dependency, while /health stays 200', async () => {
    const ready = await t.app.inject({ url: '/ready' });
    assert.equal(ready.statusCode, 503);
    const body = ready.json();
    assert.equal(body.errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.match(body.errors[0].message, /redis/);
    assert.ok(ready.headers['retry-after']);
    assert.equal((await t.app.inject({ url: '/health' })).statusCode, 200);
  });
});

describe('load shedding', () => {
  let t: TestApp;
  before(async () => {
    // A heap limit every process exceeds: the process is "overloaded" from the first sample on.
    t = await createTestApp({ SHED_MAX_HEAP_USED_BYTES: '1024' });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  after(() => t.close());

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, except on health routes', async () => {
    const res = await t.app.inject({ url: '/v1/openapi.json' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.equal(res.headers['retry-after'], '5');
    assert.equal((await t.app.inject({ url: '/health' })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/ready' })).statusCode, 200);
  });
});

describe('load shedding right after start', () => {
  /** Keeps the event loop late for about `ms`: blocks of 150 ms with a tick between them. */
  async function jam(ms: number) {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const until = performance.now() + 150;
      while (performance.now() < until) {}
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('does not shed on the event-loop delay of its own start, and does once started', async () => {
    const t = await createTestApp({ SHED_MAX_EVENT_LOOP_DELAY_MS: '100' });
    try {
      // What a start on a busy machine looks like to the delay monitor: the loop late for a second.
      await jam(1000);
      const early = await t.app.inject({ url: '/v1/openapi.json' });
      assert.equal(early.statusCode, 200, early.body);
      await new Promise((resolve) => setTimeout(resolve, STARTUP_GRACE_MS));
      await jam(1000);
      const later = await t.app.inject({ url: '/v1/openapi.json' });
      assert.equal(later.statusCode, 503);
      assert.equal(later.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    } finally {
      await t.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests and refuses new ones', async () => {
    let handlerStarted = () => {};
    const started = new Promise<void>((resolve) => {
      handlerStarted = resolve;
    });
    const t = await createTestApp(
      {},
      {
        routes: async (app) => {
          app.get('/slow', async () => {
            handlerStarted();
            await new Promise((resolve) => setTimeout(resolve, 400));
            return { done: true };
          });
        },
      },
    );
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const inFlight = fetch(`${address}/v1/slow`);
    // Close only once the request is really in the handler, however busy the machine is.
    await started;
    const closing = t.close();
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).data, { done: true });
    await closing;
    await assert.rejects(fetch(`${address}/health`));
  });
});
