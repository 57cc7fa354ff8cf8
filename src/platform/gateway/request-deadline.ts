import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: no handler deadline (health checks, whose own work is bounded). */
    deadline?: false;
  }
}

/**
 * A deadline for every route's whole lifecycle: past it the client gets 503
 * SERVICE_UNAVAILABLE and `request.signal` aborts, so database work can stop.
 * Fastify's `handlerTimeout`, set per route rather than server-wide: the
 * server-wide option costs every request a timer, an AbortController and a
 * close listener, which health checks polled by every load balancer do not need.
 */
export const requestDeadline = fp(
  async (app: FastifyInstance, opts: { timeoutMs: number }) => {
    if (opts.timeoutMs <= 0) return;
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.handlerTimeout !== undefined || route.config?.deadline === false) return;
      route.handlerTimeout = opts.timeoutMs;
    });
  },
  { name: 'request-deadline' },
);
