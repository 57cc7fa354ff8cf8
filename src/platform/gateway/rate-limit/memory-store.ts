import { LRUCache } from 'lru-cache';
import { type Evaluation, evaluate, type RuleState } from './algorithms.ts';
import type { Decision, RateLimitStore, Rule, RuleResult } from './rules.ts';

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
    // One pass to evaluate, one to answer and count: this runs on every limited request,
    // so no intermediate arrays beyond the two it needs.
    check(rules: Rule[]): Decision {
      const now = clock();
      const found: (RuleState | undefined)[] = new Array(rules.length);
      const evaluations: Evaluation[] = new Array(rules.length);
      let allowed = true;
      let retryAfterMs = 0;
      for (let i = 0; i < rules.length; i++) {
        const state = states.get(rules[i]!.key);
        const evaluation = evaluate(rules[i]!, state, now);
        found[i] = state;
        evaluations[i] = evaluation;
        if (!evaluation.allowed) allowed = false;
        if (evaluation.retryAfterMs > retryAfterMs) retryAfterMs = evaluation.retryAfterMs;
      }
      const results: RuleResult[] = new Array(rules.length);
      for (let i = 0; i < rules.length; i++) {
        const { next, result } = evaluations[i]!;
        results[i] = result;
        if (!allowed) continue;
        const state = found[i];
        if (state) updateInPlace(state, next);
        else states.set(rules[i]!.key, next);
      }
      return { allowed, retryAfterMs, results };
    },
    async close() {
      states.clear();
    },
  };
}

/** A rule's state always keeps its shape (a bucket stays a bucket), so its fields are copied over. */
function updateInPlace(state: RuleState, next: RuleState): void {
  if ('tokens' in next) {
    const bucket = state as typeof next;
    bucket.tokens = next.tokens;
    bucket.at = next.at;
  } else {
    const window = state as typeof next;
    window.start = next.start;
    window.current = next.current;
    window.previous = next.previous;
  }
}
