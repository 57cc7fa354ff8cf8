import { LRUCache } from 'lru-cache';
import type { Decision, RateLimitStore, Rule, RuleResult } from './rules.ts';

/**
 * Quota leases in front of the shared counters in Redis, so a key that is hot
 * in this process (the global bucket, a busy address or user) does not cost a
 * Redis round trip per request. The technique is the one of Google's Doorman
 * and Envoy's quota-based global limits: a process takes several permits from
 * the shared counter at once, and spends them locally.
 *
 * Never more than the limit: leased permits are counted in Redis when they are
 * taken, so every process together still admits at most the limit. The price
 * is the other way: a permit leased but not spent before the lease expires is
 * lost, so a limit may admit slightly fewer — at most one lease per process
 * holding one, and a lease is at most `maxShare` of the limit. Leases start at
 * one permit (exact, as without leasing) and double only while this process
 * spends them faster than they expire; a lease that expires unspent halves the
 * next. A refusal always comes from Redis itself, with its Retry-After.
 */
export interface LeaseOptions {
  /** Largest lease as a share of the rule's limit (bucket capacity), e.g. 0.05. */
  maxShare: number;
  /** How long leased permits may be spent. */
  ttlMs?: number;
  maxKeys?: number;
  clock?: () => number;
}

interface Lease {
  permits: number;
  size: number;
  expiresAt: number;
  /** The shared counter's remaining quota when the lease was granted. */
  remaining: number;
  resetSeconds: number;
}

export function createLeasingStore(shared: RateLimitStore, options: LeaseOptions): RateLimitStore {
  const ttlMs = options.ttlMs ?? 1000;
  const clock = options.clock ?? Date.now;
  // Sizes are remembered a little longer than a lease lives, so a steady key keeps its size.
  const leases = new LRUCache<string, Lease>({ max: options.maxKeys ?? 100_000, ttl: 2 * ttlMs });

  const cap = (rule: Rule) =>
    Math.max(1, Math.floor((rule.kind === 'token-bucket' ? rule.capacity : rule.limit) * options.maxShare));

  function nextSize(rule: Rule, previous: Lease | undefined): number {
    if (!previous) return 1;
    if (previous.permits <= 0) return Math.min(cap(rule), previous.size * 2);
    return Math.max(1, Math.floor(previous.size / 2));
  }

  // Keys whose lease is being fetched: concurrent requests then ask for one permit each,
  // so a burst of misses cannot take a full lease apiece and strand them.
  const fetching = new Set<string>();

  return {
    kind: shared.kind,
    check(rules): Decision | Promise<Decision> {
      const now = clock();
      const results: RuleResult[] = new Array(rules.length);
      const reserved: Lease[] = [];
      const asked: Rule[] = [];
      const askedAt: number[] = [];
      const leasing: boolean[] = [];
      rules.forEach((rule, i) => {
        const lease = leases.get(rule.key);
        if (lease && lease.expiresAt > now && lease.permits > 0) {
          lease.permits--;
          reserved.push(lease);
          results[i] = { remaining: lease.remaining + lease.permits, resetSeconds: lease.resetSeconds };
          return;
        }
        const fetchLease = !fetching.has(rule.key);
        if (fetchLease) fetching.add(rule.key);
        asked.push({ ...rule, lease: fetchLease ? nextSize(rule, lease) : 1 });
        askedAt.push(i);
        leasing.push(fetchLease);
      });
      // Every permit at hand: answered now, without a promise.
      if (asked.length === 0) return { allowed: true, retryAfterMs: 0, results };
      return askShared(now, asked, askedAt, leasing, reserved, results);
    },
    async close() {
      leases.clear();
      await shared.close();
    },
  };

  async function askShared(
    now: number,
    asked: Rule[],
    askedAt: number[],
    leasing: boolean[],
    reserved: Lease[],
    results: RuleResult[],
  ): Promise<Decision> {
    // Permits reserved above go back if the request is refused or Redis fails.
    const giveBack = () => {
      for (const lease of reserved) lease.permits++;
    };
    let decision: Decision;
    try {
      decision = await shared.check(asked);
    } catch (error) {
      giveBack();
      throw error;
    } finally {
      asked.forEach((rule, j) => {
        if (leasing[j]) fetching.delete(rule.key);
      });
    }
    if (!decision.allowed) giveBack();
    asked.forEach((rule, j) => {
      const result = decision.results[j]!;
      const i = askedAt[j]!;
      if (!decision.allowed) {
        results[i] = result;
        return;
      }
      const granted = Math.max(1, result.granted ?? 1);
      if (!leasing[j]) {
        results[i] = result;
        return;
      }
      const current = leases.get(rule.key);
      // A concurrent request may have leased this key meanwhile: keep its unspent permits too.
      const kept = current && current.expiresAt > clock() ? current.permits : 0;
      leases.set(rule.key, {
        permits: granted - 1 + kept,
        size: rule.lease ?? 1,
        expiresAt: now + ttlMs,
        remaining: result.remaining,
        resetSeconds: result.resetSeconds,
      });
      results[i] = { remaining: result.remaining + granted - 1 + kept, resetSeconds: result.resetSeconds };
    });
    return { allowed: decision.allowed, retryAfterMs: decision.retryAfterMs, results };
  }
}
