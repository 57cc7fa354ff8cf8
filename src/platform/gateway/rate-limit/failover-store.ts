import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Decision, RateLimitStore, Rule } from './rules.ts';

/**
 * Redis first; while it fails, this process's own counters. No request fails
 * because Redis is down: limits just become per process until it is back.
 * After a failure Redis is left alone for `retryAfterMs`, so a dead or slow
 * server costs one timeout per interval instead of one per request. Entering
 * and leaving the fallback is logged once each, and metrics show it.
 */
export function createFailoverStore(options: {
  primary: RateLimitStore;
  fallback: RateLimitStore;
  log: FastifyBaseLogger;
  metrics: Registry;
  retryAfterMs?: number;
  clock?: () => number;
}): RateLimitStore {
  const { primary, fallback, log } = options;
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const clock = options.clock ?? Date.now;
  const available = new Gauge({
    name: 'rate_limit_redis_available',
    help: '1 while rate limits are counted in Redis, 0 while this process counts on its own',
    registers: [options.metrics],
  });
  const fallbackDecisions = new Counter({
    name: 'rate_limit_fallback_decisions_total',
    help: 'Rate-limit decisions taken with per-process counters because Redis was unavailable',
    registers: [options.metrics],
  });
  available.set(1);
  let downSince: number | undefined;
  let nextAttempt = 0;

  function onFallback(rules: Rule[]): Decision | Promise<Decision> {
    fallbackDecisions.inc();
    return fallback.check(rules);
  }

  function onSuccess(decision: Decision): Decision {
    if (downSince !== undefined) {
      log.info({ downForMs: clock() - downSince }, 'rate limits: Redis is back, counting shared again');
      downSince = undefined;
      available.set(1);
    }
    return decision;
  }

  function onFailure(rules: Rule[], error: unknown): Decision | Promise<Decision> {
    if (downSince === undefined) {
      downSince = clock();
      available.set(0);
      log.warn({ err: error }, 'rate limits: Redis unavailable, falling back to per-process counters');
    }
    nextAttempt = clock() + retryAfterMs;
    return onFallback(rules);
  }

  return {
    kind: 'redis',
    check(rules) {
      if (downSince !== undefined && clock() < nextAttempt) return onFallback(rules);
      let answer: Decision | Promise<Decision>;
      try {
        answer = primary.check(rules);
      } catch (error) {
        return onFailure(rules, error);
      }
      if (!(answer instanceof Promise)) return onSuccess(answer);
      return answer.then(onSuccess, (error: unknown) => onFailure(rules, error));
    },
    async close() {
      await primary.close();
      await fallback.close();
    },
  };
}
