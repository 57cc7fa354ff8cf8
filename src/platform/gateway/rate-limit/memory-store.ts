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
  // No TTL: a state carries its own times, so an old one evaluates like a fresh one, and
  // the LRU bound caps memory. States are updated in place, not re-inserted, per request.
  const states = new LRUCache<string, RuleState>({ max: maxKeys });
  return {
    kind: 'memory',
    check(rules: Rule[]): Decision {
      const now = clock();
      const found = rules.map((rule) => states.get(rule.key));
      const evaluations = rules.map((rule, i) => evaluate(rule, found[i], now));
      const allowed = evaluations.every((e) => e.allowed);
      if (allowed) {
        rules.forEach((rule, i) => {
          const next = evaluations[i]!.next;
          const state = found[i];
          if (state) Object.assign(state, next);
          else states.set(rule.key, next);
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
