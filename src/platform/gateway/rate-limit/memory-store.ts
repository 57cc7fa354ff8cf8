import { LRUCache } from 'lru-cache';
import { evaluate, type RuleState } from './algorithms.ts';
import type { Decision, RateLimitStore, Rule } from './rules.ts';

/**
 * Counters in this process only: the store when REDIS_URL is unset, and the
 * fallback while Redis is unreachable. JavaScript runs one check at a time, so
 * check-then-count is atomic here without locks. Bounded so a flood of
 * distinct addresses cannot grow memory without limit.
 */
export function createMemoryRateLimitStore(maxKeys = 100_000, clock = () => Date.now()): RateLimitStore {
  const states = new LRUCache<string, RuleState>({ max: maxKeys, ttlAutopurge: false });
  return {
    kind: 'memory',
    async check(rules: Rule[]): Promise<Decision> {
      const now = clock();
      const evaluations = rules.map((rule) => evaluate(rule, states.get(rule.key), now));
      const allowed = evaluations.every((e) => e.allowed);
      if (allowed) {
        rules.forEach((rule, i) => {
          const evaluation = evaluations[i]!;
          states.set(rule.key, evaluation.next, { ttl: evaluation.ttlMs });
        });
      }
      return {
        allowed,
        retryAfterMs: Math.max(0, ...evaluations.map((e) => e.retryAfterMs)),
        results: evaluations.map((e) => e.result),
      };
    },
    async close() {
      states.clear();
    },
  };
}
