import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { routeOf } from '../http/route-of.ts';

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
  async (app: FastifyInstance, opts: { registry: Registry }) => {
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
      { schema: { hide: true }, config: { rawBody: true, rateLimit: false, concurrencyLimit: false } },
      async (_request, reply) => {
        reply.header('content-type', opts.registry.contentType);
        return opts.registry.metrics();
      },
    );
  },
  { name: 'http-metrics' },
);
