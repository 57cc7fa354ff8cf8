import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createLeasingStore } from '../../src/platform/gateway/rate-limit/lease-store.ts';
import { createRedisRateLimitStore } from '../../src/platform/gateway/rate-limit/redis-store.ts';
import type { RateLimitStore, Rule } from '../../src/platform/gateway/rate-limit/rules.ts';
import { needs, serverUrl } from '../support/servers.ts';

/** The real Redis store, with a count of the calls that reached it. */
function countedRedisStore(redis: Redis, prefix: string) {
  const store = createRedisRateLimitStore(redis, prefix);
  const counted = {
    calls: 0,
    kind: store.kind,
    check(rules: Rule[]) {
      counted.calls++;
      return store.check(rules);
    },
    close: () => store.close(),
  } satisfies RateLimitStore & { calls: number };
  return counted;
}

const window = (key: string, limit: number): Rule => ({
  kind: 'sliding-window',
  name: 'ip',
  key,
  limit,
  windowSeconds: 60,
});

async function admitted(store: RateLimitStore, rules: Rule[], attempts: number): Promise<number> {
  const decisions = await Promise.all(Array.from({ length: attempts }, () => store.check(rules)));
  return decisions.filter((d) => d.allowed).length;
}

describe('rate-limit quota leases in Redis', needs('REDIS_URL'), () => {
  let redisA: Redis;
  let redisB: Redis;
  const prefix = `o2o:test:${randomUUID()}:`;
  before(() => {
    redisA = new Redis(serverUrl('REDIS_URL')!);
    redisB = new Redis(serverUrl('REDIS_URL')!);
  });
  after(() => {
    redisA?.disconnect();
    redisB?.disconnect();
  });

  it('spends a hot key’s permits locally: far fewer Redis calls than requests', async () => {
    const inner = countedRedisStore(redisA, prefix);
    const store = createLeasingStore(inner, { maxShare: 0.05 });
    const rules = [window(`hot:${randomUUID()}`, 100_000)];
    for (let i = 0; i < 2000; i++) assert.equal((await store.check(rules)).allowed, true);
    // Leases double from 1 up to 5% of the limit (5,000): about a dozen calls, not 2,000.
    assert.ok(inner.calls < 40, `${inner.calls} Redis calls for 2000 requests`);
  });

  it('never admits more than the limit across processes, and loses at most a lease each', async () => {
    const limit = 400;
    const rules = [window(`shared:${randomUUID()}`, limit)];
    const a = createLeasingStore(countedRedisStore(redisA, prefix), { maxShare: 0.05 });
    const b = createLeasingStore(countedRedisStore(redisB, prefix), { maxShare: 0.05 });
    let total = 0;
    // Sequential waves so leases grow, as they do under steady load.
    for (let wave = 0; wave < 10; wave++) {
      const [fromA, fromB] = await Promise.all([admitted(a, rules, 60), admitted(b, rules, 60)]);
      total += fromA + fromB;
    }
    assert.ok(total <= limit, `${total} admitted over a limit of ${limit}`);
    assert.ok(total >= limit - 2 * 20, `${total} admitted: more than one lease per process lost`);
  });

  it('never takes more tokens than a bucket holds', async () => {
    const rules: Rule[] = [
      {
        kind: 'token-bucket',
        name: 'global',
        key: `bucket:${randomUUID()}`,
        ratePerSecond: 1,
        capacity: 200,
      },
    ];
    const a = createLeasingStore(countedRedisStore(redisA, prefix), { maxShare: 0.1 });
    const b = createLeasingStore(countedRedisStore(redisB, prefix), { maxShare: 0.1 });
    let total = 0;
    for (let wave = 0; wave < 6; wave++) {
      const [fromA, fromB] = await Promise.all([admitted(a, rules, 50), admitted(b, rules, 50)]);
      total += fromA + fromB;
    }
    // One token may refill per second while the waves run.
    assert.ok(total <= 200 + 5, `${total} admitted from a bucket of 200`);
    assert.ok(total >= 200 - 2 * 20, `${total} admitted`);
  });

  it('asks Redis again once a lease expires, and refusals come from Redis with a retry time', async () => {
    let now = Date.now();
    const inner = countedRedisStore(redisA, prefix);
    const store = createLeasingStore(inner, { maxShare: 0.5, ttlMs: 1000, clock: () => now });
    const rules = [window(`expiry:${randomUUID()}`, 10)];
    // Leases of 1, 2 and 4 permits: 7 requests, 3 calls.
    for (let i = 0; i < 7; i++) assert.equal((await store.check(rules)).allowed, true);
    assert.equal(inner.calls, 3);
    now += 1500;
    assert.equal((await store.check(rules)).allowed, true);
    assert.equal(inner.calls, 4, 'an expired lease is not spent');
    // 7 permits counted, the new lease takes the last 3 of 10; then Redis itself refuses.
    let refused = await store.check(rules);
    while (refused.allowed) refused = await store.check(rules);
    assert.ok(refused.retryAfterMs > 0);
    assert.equal(refused.results[0]?.remaining, 0);
  });

  it('a refused request gives back the permits it reserved from other leases', async () => {
    const store = createLeasingStore(countedRedisStore(redisA, prefix), { maxShare: 0.5 });
    const roomy = window(`roomy:${randomUUID()}`, 100);
    const tight = window(`tight:${randomUUID()}`, 1);
    // Grow the roomy lease, then combine it with a rule that has no room left.
    for (let i = 0; i < 7; i++) await store.check([roomy]);
    assert.equal((await store.check([tight])).allowed, true);
    const before = (await store.check([roomy])).results[0]!.remaining;
    assert.equal((await store.check([roomy, tight])).allowed, false);
    const after = (await store.check([roomy])).results[0]!.remaining;
    assert.equal(after, before - 1, 'only the admitted request spent a permit');
  });
});
