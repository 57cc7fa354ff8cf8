import type { Rule, RuleResult, SlidingWindowRule, TokenBucketRule } from './rules.ts';

/**
 * The two algorithms as pure functions over a state, shared by the in-process
 * store; the Redis store runs the same arithmetic in Lua (redis-store.ts), and
 * the tests hold both to the same behaviour.
 */
export interface BucketState {
  tokens: number;
  at: number;
}

export interface WindowState {
  start: number;
  current: number;
  previous: number;
}

export type RuleState = BucketState | WindowState;

export interface Evaluation {
  allowed: boolean;
  retryAfterMs: number;
  result: RuleResult;
  /** The state to store if every rule allows the request. */
  next: RuleState;
  ttlMs: number;
}

export function evaluate(rule: Rule, state: RuleState | undefined, now: number): Evaluation {
  return rule.kind === 'token-bucket'
    ? evaluateBucket(rule, state as BucketState | undefined, now)
    : evaluateWindow(rule, state as WindowState | undefined, now);
}

function evaluateBucket(rule: TokenBucketRule, state: BucketState | undefined, now: number): Evaluation {
  const { ratePerSecond: rate, capacity } = rule;
  const elapsed = Math.max(0, now - (state?.at ?? now));
  const tokens = Math.min(capacity, (state?.tokens ?? capacity) + (elapsed * rate) / 1000);
  const allowed = tokens >= 1;
  const left = allowed ? tokens - 1 : tokens;
  return {
    allowed,
    retryAfterMs: allowed ? 0 : Math.ceil(((1 - tokens) * 1000) / rate),
    result: {
      remaining: Math.max(0, Math.floor(left)),
      resetSeconds: Math.ceil((capacity - left) / rate),
    },
    next: { tokens: left, at: now },
    ttlMs: Math.ceil((capacity / rate) * 1000) + 1000,
  };
}

function evaluateWindow(rule: SlidingWindowRule, state: WindowState | undefined, now: number): Evaluation {
  const { limit } = rule;
  const size = rule.windowSeconds * 1000;
  const start = now - (now % size);
  let current = state?.current ?? 0;
  let previous = state?.previous ?? 0;
  if (state && state.start !== start) {
    previous = state.start === start - size ? state.current : 0;
    current = 0;
  } else if (!state) {
    previous = 0;
  }
  const elapsed = now - start;
  const estimate = (previous * (size - elapsed)) / size + current;
  const allowed = estimate + 1 <= limit;
  return {
    allowed,
    retryAfterMs: allowed ? 0 : windowRetryMs(limit, previous, current, size, elapsed),
    result: {
      remaining: Math.max(0, Math.floor(limit - estimate - (allowed ? 1 : 0))),
      resetSeconds: Math.ceil((size - elapsed) / 1000),
    },
    next: { start, current: allowed ? current + 1 : current, previous },
    ttlMs: 2 * size,
  };
}

/** Time until `previous * (1 - x) + current + 1 <= limit`, crossing into the next window if needed. */
export function windowRetryMs(
  limit: number,
  previous: number,
  current: number,
  size: number,
  elapsed: number,
): number {
  if (limit < 1) return size - elapsed;
  const room = limit - 1 - current;
  if (room >= 0 && previous > 0) {
    // The previous window's weight must decay to `room`.
    return Math.max(1, Math.ceil(size * (1 - room / previous) - elapsed));
  }
  // The current window is full: wait for it to end, then for its weight to decay.
  const untilEnd = size - elapsed;
  return Math.max(1, Math.ceil(untilEnd + size * (1 - (limit - 1) / current)));
}
