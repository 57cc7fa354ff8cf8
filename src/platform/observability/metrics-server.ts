import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { errorBody, successBody } from '../http/envelope.ts';
import { type ReadinessCheck, runReadinessChecks } from '../readiness.ts';
import { metricsAuthorized } from './metrics.ts';

/**
 * The HTTP side of a `worker` process, which serves no API: /metrics (its
 * per-process bus and job counters would otherwise never be scraped), and
 * /health (liveness) and /ready (the platform's readiness checks) for the
 * orchestrator's probes, in the API's envelope. Only /metrics takes the token.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
  token?: string,
  checks: ReadinessCheck[] = [],
): Promise<{ port: number; close(): Promise<void> }> {
  const json = (response: ServerResponse, status: number, body: unknown, headers = {}) =>
    response
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      .end(JSON.stringify(body));
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(404).end();
      return;
    }
    if (path === '/health') {
      json(response, 200, successBody(randomUUID(), { status: 'ok' }));
      return;
    }
    if (path === '/ready') {
      runReadinessChecks(checks).then(({ checks: results, failed }) => {
        if (failed.length === 0) {
          json(response, 200, successBody(randomUUID(), { status: 'ready', checks: results }));
          return;
        }
        json(
          response,
          503,
          errorBody(randomUUID(), [
            { code: 'SERVICE_UNAVAILABLE', message: `Not ready: ${failed.join(', ')} unavailable` },
          ]),
          { 'retry-after': '5' },
        );
      });
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    if (!metricsAuthorized(token, request.headers)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"' }).end();
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
