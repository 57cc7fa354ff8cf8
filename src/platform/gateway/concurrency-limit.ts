import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, type Registry } from 'prom-client';
import { serviceUnavailable } from '../http/errors.ts';
import { routeOf } from '../http/route-of.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` lets a route in even when the process is at MAX_CONCURRENT_REQUESTS (health checks). */
    concurrencyLimit?: false;
  }
}

/**
 * At most `max` requests in progress in this process; the next one is refused
 * at once with 503 and Retry-After instead of queueing behind the others, so
 * latency stays bounded and a load balancer can send it elsewhere. Counted
 * from onRequest to the moment the response is closed (sent, failed or
 * abandoned by the client). Event-loop and heap shedding are under-pressure's
 * job (app.ts); per-request deadlines are request-deadline.ts.
 *
 * Written here because no maintained Fastify plugin caps in-flight requests.
 */
export const concurrencyLimit = fp(
  async (app: FastifyInstance, opts: { max: number; metrics: Registry }) => {
    if (opts.max <= 0) return;
    let inFlight = 0;
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests being processed by this process',
      registers: [opts.metrics],
      collect() {
        this.set(inFlight);
      },
    });
    const refused = new Counter({
      name: 'http_requests_refused_concurrency_total',
      help: 'Requests answered 503 because MAX_CONCURRENT_REQUESTS were already in progress',
      registers: [opts.metrics],
    });

    // A callback hook, not async: it runs on every request.
    app.addHook('onRequest', (request, reply, done) => {
      if (routeOf(request).config.concurrencyLimit === false) return done();
      if (inFlight >= opts.max) {
        refused.inc();
        return done(serviceUnavailable(1, 'Too many requests in progress, retry shortly'));
      }
      inFlight++;
      let released = false;
      reply.raw.once('close', () => {
        if (released) return;
        released = true;
        inFlight--;
      });
      done();
    });
  },
  { name: 'concurrency-limit' },
);
