import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '../http/errors.ts';
import { routeOf } from '../http/route-of.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks its own `Authorization: Bearer` (not an access token); auth's hook leaves it alone. */
    ownBearer?: boolean;
  }
}

/**
 * With `METRICS_TOKEN` set, /metrics answers only `Authorization: Bearer <token>`
 * (Prometheus: `authorization: { credentials: ... }`). Compared as SHA-256 digests,
 * so neither the length nor the content leaks through timing.
 */
export function metricsAuthorized(token: string | undefined, headers: IncomingHttpHeaders): boolean {
  if (token === undefined) return true;
  const header = headers.authorization ?? '';
  const presented = /^bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return presented !== '' && timingSafeEqual(digest(presented), digest(token));
}

/** One registry per process (per app in tests), so tests never share counters. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function registerPoolGauges(registry: Registry, pool: pg.Pool, name = 'primary'): void {
  const gauge = (metric: string, help: string, read: () => number) =>
    new Gauge({
      name: metric,
      help,
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.set({ pool: name }, read());
      },
    });
  gauge('db_pool_connections_total', 'Connections open in the pool', () => pool.totalCount);
  gauge('db_pool_connections_idle', 'Idle connections in the pool', () => pool.idleCount);
  gauge('db_pool_clients_waiting', 'Queries waiting for a connection', () => pool.waitingCount);
}

/** Request duration by route pattern (never the raw URL, which would explode cardinality). */
export const httpMetrics = fp(
  async (app: FastifyInstance, opts: { registry: Registry; token?: string | undefined }) => {
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [opts.registry],
    });
    app.addHook('onResponse', (request, reply, done) => {
      const route = routeOf(request).url ?? 'unmatched';
      histogram.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
    app.get(
      '/metrics',
      {
        schema: { hide: true },
        config: { rawBody: true, rateLimit: false, concurrencyLimit: false, ownBearer: true },
      },
      async (request, reply) => {
        if (!metricsAuthorized(opts.token, request.headers)) {
          throw new AppError(401, 'UNAUTHENTICATED', 'Send the metrics token as a bearer token', {
            headers: { 'www-authenticate': 'Bearer realm="metrics"' },
          });
        }
        reply.header('content-type', opts.registry.contentType);
        return opts.registry.metrics();
      },
    );
  },
  { name: 'http-metrics' },
);
