import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { waitFor } from '../support/bus.ts';

/**
 * The default OTLP protocol, http/protobuf, against a local receiver: the SDK
 * started in this process (as `src/tracing.ts` does) sends a span made by the
 * bus's producer helper as a protobuf request whose bytes hold its trace id.
 */
const posts: Array<{ url?: string; type?: string; body: Buffer }> = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    posts.push({ url: request.url, type: request.headers['content-type'], body: Buffer.concat(chunks) });
    // An empty ExportTraceServiceResponse.
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
let stop = async () => {};

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const { startTracing } = await import('../../src/platform/observability/otel-sdk.ts');
  // The exporter reads the standard variables itself, as in a real process.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  const provider = startTracing();
  stop = () => provider.shutdown();
});

after(async () => {
  await stop();
  await new Promise((resolve) => server.close(resolve));
});

it('exports over OTLP/HTTP protobuf by default, carrying the trace id the outbox row gets', async () => {
  const { producerContext, flushTraces } = await import('../../src/platform/observability/tracing.ts');
  const carrier = producerContext('platform.test publish', { 'messaging.message.id': 'e1' });
  assert.ok(carrier, 'a recording span yields a trace context');
  const [, traceId, spanId] = carrier.traceparent!.split('-');
  assert.match(traceId!, /^[0-9a-f]{32}$/);
  await flushTraces();
  const post = await waitFor('the export', async () => posts.find((p) => p.url === '/v1/traces'));
  assert.equal(post.type, 'application/x-protobuf');
  assert.ok(post.body.includes(Buffer.from(traceId!, 'hex')), 'the trace id bytes are in the request');
  assert.ok(post.body.includes(Buffer.from(spanId!, 'hex')), 'the span id bytes are in the request');
  assert.ok(post.body.includes(Buffer.from('platform.test publish')), 'the span name is in the request');
});
