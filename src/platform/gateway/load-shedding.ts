import underPressure, { TYPE_EVENT_LOOP_DELAY } from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { serviceUnavailable } from '../http/errors.ts';

/**
 * How long after start event-loop delay does not shed requests. A process
 * blocks its own event loop while it starts (loading modules, compiling
 * schemas, the first calls of every handler being compiled), and
 * under-pressure's first sample windows after that measured the start, not
 * load: on a busy machine a process that had just said it was ready answered
 * its first requests with 503 (seen in CI behind nginx). Heap limits apply
 * from the start; the concurrency cap and the request deadline still hold.
 */
export const STARTUP_GRACE_MS = 5000;

/**
 * Event-loop delay and heap shedding (@fastify/under-pressure): 503
 * SERVICE_UNAVAILABLE with Retry-After; health routes opt out with their own
 * pressureHandler.
 */
export const loadShedding = fp(
  async (app: FastifyInstance, opts: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number }) => {
    // A sample window with no event-loop tick at all reads as an infinite delay, so a window
    // shorter than the threshold would shed after any shorter block.
    const sampleInterval = Math.max(100, opts.maxEventLoopDelayMs);
    const graceMs = Math.max(STARTUP_GRACE_MS, 2 * sampleInterval);
    let readyAt = Number.POSITIVE_INFINITY;
    app.addHook('onReady', (done) => {
      readyAt = performance.now();
      done();
    });
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelayMs,
      maxHeapUsedBytes: opts.maxHeapUsedBytes,
      sampleInterval,
      pressureHandler: (_request, _reply, type) => {
        // Before ready, readyAt is infinite: still in the grace.
        if (type === TYPE_EVENT_LOOP_DELAY && performance.now() - readyAt < graceMs) return undefined;
        return Promise.reject(serviceUnavailable(5));
      },
    });
  },
  { name: 'load-shedding' },
);
