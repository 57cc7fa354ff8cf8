/**
 * One counter a request is checked against. A request passes only when every
 * rule that applies to it has room, and then it is counted under all of them
 * at once; a refused request consumes nothing, so a client flooding one limit
 * cannot drain the global bucket for everyone else.
 */
export type Rule = TokenBucketRule | SlidingWindowRule;

/** Global burst control: refills `ratePerSecond`, holds at most `capacity` tokens. */
export interface TokenBucketRule {
  kind: 'token-bucket';
  /** Policy name shown in the RateLimit headers. */
  name: string;
  key: string;
  ratePerSecond: number;
  capacity: number;
  /** Permits to take at once for a lease (lease-store.ts); 1 when absent. */
  lease?: number;
}

/**
 * Sliding-window counter: the previous fixed window's count, weighted by how
 * much of it still overlaps the sliding window, plus the current count. Two
 * integers per key and no burst at window edges (unlike a fixed window).
 */
export interface SlidingWindowRule {
  kind: 'sliding-window';
  name: string;
  key: string;
  limit: number;
  windowSeconds: number;
  /** Permits to take at once for a lease (lease-store.ts); 1 when absent. */
  lease?: number;
}

export interface RuleResult {
  /** Requests left after this one (0 when refused). */
  remaining: number;
  /** Seconds until the quota is fully available again. */
  resetSeconds: number;
  /** Permits granted when the rule asked for a lease (at least 1 when allowed). */
  granted?: number;
}

export interface Decision {
  allowed: boolean;
  /** When refused: milliseconds until a retry can pass every rule. */
  retryAfterMs: number;
  /** One result per rule, in the order given. */
  results: RuleResult[];
}

/** Where counters live: Redis (shared by every process) or this process's memory. */
export interface RateLimitStore {
  readonly kind: 'redis' | 'memory';
  /** Synchronous when the answer is at hand (in-process counters, leased permits): no promise per request. */
  check(rules: Rule[]): Decision | Promise<Decision>;
  close(): Promise<void>;
}
