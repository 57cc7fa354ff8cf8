import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryRateLimitStore } from './memory-store.ts';
import type { Rule } from './rules.ts';

const window: Rule = { kind: 'sliding-window', name: 'w', key: 'w', limit: 10, windowSeconds: 60 };
const bucket: Rule = { kind: 'token-bucket', name: 'b', key: 'b', ratePerSecond: 2, capacity: 4 };

function storeAt(start: number) {
  let now = start;
  const store = createMemoryRateLimitStore(100, () => now);
  return {
    store,
    set: (ms: number) => {
      now = ms;
    },
  };
}

describe('sliding-window counter', () => {
  it('weights the previous window by how much of it still overlaps', async () => {
    const { store, set } = storeAt(60_000);
    for (let i = 0; i < 10; i++) assert.equal((await store.check([window])).allowed, true);
    assert.equal((await store.check([window])).allowed, false);
    // Half-way through the next window the previous 10 weigh 5: five more pass, the sixth does not.
    set(150_000);
    const passed = [];
    for (let i = 0; i < 6; i++) passed.push((await store.check([window])).allowed);
    assert.deepEqual(passed, [true, true, true, true, true, false]);
  });

  it('tells how long to wait before a retry passes', async () => {
    const { store, set } = storeAt(60_000);
    for (let i = 0; i < 10; i++) await store.check([window]);
    const refused = await store.check([window]);
    // Full current window: wait for its end (60 s), then until 10 weigh 9 (6 s more).
    assert.equal(refused.retryAfterMs, 66_000);
    set(60_000 + refused.retryAfterMs);
    assert.equal((await store.check([window])).allowed, true);
  });

  it('forgets a window older than the previous one', async () => {
    const { store, set } = storeAt(60_000);
    for (let i = 0; i < 10; i++) await store.check([window]);
    set(185_000);
    assert.equal((await store.check([window])).results[0]!.remaining, 9);
  });
});

describe('token bucket', () => {
  it('allows its capacity at once, then refills at its rate', async () => {
    const { store, set } = storeAt(1_000);
    const burst = [];
    for (let i = 0; i < 5; i++) burst.push((await store.check([bucket])).allowed);
    assert.deepEqual(burst, [true, true, true, true, false]);
    const refused = await store.check([bucket]);
    assert.equal(refused.retryAfterMs, 500);
    set(1_500);
    assert.equal((await store.check([bucket])).allowed, true);
    assert.equal((await store.check([bucket])).allowed, false);
  });
});

describe('several rules', () => {
  it('counts a request under every rule only when all of them have room', async () => {
    const { store } = storeAt(60_000);
    const tight: Rule = { kind: 'sliding-window', name: 't', key: 't', limit: 2, windowSeconds: 60 };
    for (let i = 0; i < 5; i++) await store.check([bucket, tight]);
    // Two passed; the three refused ones did not take tokens from the bucket.
    const decision = await store.check([bucket]);
    assert.equal(decision.allowed, true);
    assert.equal(decision.results[0]!.remaining, 1);
  });
});
