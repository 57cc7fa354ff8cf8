import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { publish } from '../../src/platform/bus/publish.ts';
import { createDatabase, type Database } from '../../src/platform/db/database.ts';
import { tracingWanted } from '../../src/platform/observability/tracing-env.ts';
import { PASSWORD, uniqueEmail } from '../support/auth.ts';
import { deleteStream, testStreamName, waitFor } from '../support/bus.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort, runCli, type Started, waitForOk } from '../support/process.ts';
import { needs, serverUrl } from '../support/servers.ts';

/** One span as the OTLP/HTTP JSON exporter sends it (ids in hex), with its process's service name. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SPAN_KIND = { SERVER: 2, PRODUCER: 4, CONSUMER: 5 } as const;

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** A local OTLP/HTTP receiver: accepts `POST /v1/traces` in JSON and keeps every span. */
async function startReceiver(): Promise<{
  server: Server;
  url: string;
  spans: ReceivedSpan[];
  posts: string[];
}> {
  const spans: ReceivedSpan[] = [];
  const posts: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              service,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind,
              attributes: attributes(span.attributes),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, spans, posts };
}

/** Whether `span` descends from `ancestor` in the spans received. */
function descendsFrom(spans: ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  let current: ReceivedSpan | undefined = span;
  for (let depth = 0; current && depth < 50; depth++) {
    if (current.parentSpanId === ancestor.spanId) return true;
    current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
  }
  return false;
}

const isPg = (span: ReceivedSpan) =>
  span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql';
const isRedis = (span: ReceivedSpan) =>
  span.attributes['db.system'] === 'redis' || span.attributes['db.system.name'] === 'redis';

describe('tracing off', () => {
  let testDb: TestDatabase;
  let database: Database;
  before(async () => {
    testDb = await createTestDatabase();
    database = createDatabase({ url: testDb.url, poolMax: 1 });
  });
  after(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('is off unless an OTLP endpoint is configured, and then stores no trace context', async () => {
    assert.equal(tracingWanted({}), false);
    assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
    assert.equal(
      tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }),
      true,
    );
    assert.equal(
      tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }),
      false,
    );
    assert.equal(
      tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }),
      false,
    );
    // This test process never started the SDK: publishing records no trace context.
    const event = await publish(database.db, 'platform.test', { value: 1 });
    const { rows } = await sql<{ trace_context: unknown }>`
      select trace_context from outbox_events where id = ${event.id}`.execute(database.db);
    assert.equal(rows[0]?.trace_context, null);
  });
});

describe('tracing over OTLP', needs('NATS_URL'), () => {
  let testDb: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const processes: Started[] = [];
  let apiUrl = '';
  const stream = testStreamName();

  before(async () => {
    if (!serverUrl('REDIS_URL') && process.env.CI) throw new Error('REDIS_URL must be set under CI');
    testDb = await createTestDatabase();
    receiver = await startReceiver();
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: testDb.url,
      REDIS_URL: serverUrl('REDIS_URL'),
      NATS_URL: serverUrl('NATS_URL'),
      // A stream of its own, so other suites' events never reach this worker.
      NATS_STREAM: stream,
      ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    processes.push(runCli('serve', { ...env, PORT: String(port), OTEL_SERVICE_NAME: 'o2o-api' }));
    processes.push(runCli('worker', { ...env, OTEL_SERVICE_NAME: 'o2o-worker' }));
    await waitForOk(`${apiUrl}/health`, processes[0]!);
  });

  after(async () => {
    for (const started of processes) if (started.child.exitCode === null) started.child.kill('SIGTERM');
    await Promise.all(processes.map((started) => started.exited));
    await new Promise((resolve) => receiver?.server.close(resolve));
    await deleteStream(serverUrl('NATS_URL'), stream);
    await testDb?.drop();
  });

  const api = async (method: string, path: string, body?: object, token?: string) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };

  it('a sign-up is one trace: HTTP with pg and redis children, continued by the worker that handles its event', async () => {
    const email = uniqueEmail('trace');
    const res = await fetch(`${apiUrl}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email,
        password: 'a long enough pass phrase',
        displayName: 'Tracy',
        acceptTerms: true,
      }),
    });
    assert.equal(res.status, 201, await res.text());

    const { spans } = receiver;
    const output = () => processes.map((p) => p.output()).join('\n');
    const server = await waitFor(
      'the API request span',
      async () =>
        spans.find(
          (s) =>
            s.service === 'o2o-api' &&
            s.kind === SPAN_KIND.SERVER &&
            String(s.attributes['url.path'] ?? s.attributes['http.target']).startsWith('/v1/auth/register'),
        ),
      30_000,
    ).catch((error: Error) =>
      assert.fail(`${error.message}\nspans: ${JSON.stringify(spans.map((s) => s.name))}\n${output()}`),
    );
    const inTrace = () => spans.filter((s) => s.traceId === server.traceId);

    const consumer = await waitFor(
      'the worker span of user.registered',
      async () =>
        inTrace().find(
          (s) =>
            s.service === 'o2o-worker' &&
            s.kind === SPAN_KIND.CONSUMER &&
            s.name === 'user.registered process' &&
            s.attributes['messaging.consumer.group.name'] === 'users',
        ),
      30_000,
    ).catch((error: Error) =>
      assert.fail(
        `${error.message}\ntrace: ${JSON.stringify(inTrace().map((s) => [s.service, s.name]))}\n${output()}`,
      ),
    );
    // The worker's queries run under its handler span.
    await waitFor('a worker query', async () =>
      inTrace().some((s) => s.service === 'o2o-worker' && isPg(s) && descendsFrom(spans, s, consumer)),
    );

    const trace = inTrace();
    const producer = trace.find((s) => s.kind === SPAN_KIND.PRODUCER && s.name === 'user.registered publish');
    assert.ok(producer, 'a producer span for the event');
    assert.equal(producer.service, 'o2o-api');
    assert.ok(descendsFrom(spans, producer, server), 'published within the request');
    assert.equal(consumer.parentSpanId, producer.spanId, 'the worker continues the publisher span');

    const pgInRequest = trace.filter(
      (s) => s.service === 'o2o-api' && isPg(s) && descendsFrom(spans, s, server),
    );
    assert.ok(
      pgInRequest.length > 0,
      `pg spans under the request: ${JSON.stringify(trace.map((s) => s.name))}`,
    );
    const redisInRequest = trace.filter(
      (s) => s.service === 'o2o-api' && isRedis(s) && descendsFrom(spans, s, server),
    );
    assert.ok(
      redisInRequest.length > 0,
      `redis spans under the request: ${JSON.stringify(trace.map((s) => s.name))}`,
    );
    // Probes and the bus's polling make no traces of their own.
    assert.ok(!spans.some((s) => s.kind === SPAN_KIND.SERVER && s.attributes['url.path'] === '/health'));
    assert.ok(
      spans.every((s) => !(isPg(s) && !s.parentSpanId)),
      'a root pg span: queries outside a request, event or job were traced',
    );
  });

  it('a note scheduled over HTTP is delivered by a job in the worker, in the trace of the request that scheduled it', async () => {
    const signUp = async (name: string) => {
      const res = await api('POST', '/v1/auth/register', {
        email: uniqueEmail(name),
        password: PASSWORD,
        displayName: name,
        acceptTerms: true,
      });
      assert.equal(res.status, 201, res.text);
      return res.json().data.accessToken as string;
    };
    const a = await signUp('ana');
    const b = await signUp('ben');
    const invite = await api('POST', '/v1/couples/invites', undefined, a);
    assert.equal(invite.status, 201, invite.text);
    const accepted = await api('POST', `/v1/couples/invites/${invite.json().data.code}/accept`, undefined, b);
    assert.equal(accepted.status, 200, accepted.text);
    const scheduledAt = new Date(Date.now() + 4000).toISOString();
    const note = await api('POST', '/v1/love-notes', { body: 'see you soon', scheduledAt }, a);
    assert.equal(note.status, 202, note.text);

    const { spans } = receiver;
    const request = await waitFor('the scheduling request span', async () =>
      spans.find(
        (s) =>
          s.service === 'o2o-api' &&
          s.kind === SPAN_KIND.SERVER &&
          s.attributes['http.request.method'] === 'POST' &&
          s.attributes['url.path'] === '/v1/love-notes',
      ),
    );
    const job = await waitFor(
      'the delivery job span',
      async () =>
        spans.find(
          (s) =>
            s.traceId === request.traceId && s.service === 'o2o-worker' && s.name === 'job love-note.deliver',
        ),
      30_000,
    ).catch((error: Error) =>
      assert.fail(
        `${error.message}\njob spans: ${JSON.stringify(spans.filter((s) => s.name.startsWith('job ')).map((s) => [s.name, s.traceId]))}`,
      ),
    );
    assert.equal(job.kind, SPAN_KIND.CONSUMER);
    assert.ok(
      spans.some((s) => s.spanId === job.parentSpanId && s.service === 'o2o-api'),
      'the job continues a span of the API request',
    );
  });
});
