import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryLifetimeMs, jitteredTtlMs } from './plugin.ts';

describe('jitteredTtlMs', () => {
  it('spreads expiry over the last fifth of the TTL, never past it', () => {
    assert.equal(jitteredTtlMs(60, 0), 48_000);
    assert.equal(jitteredTtlMs(60, 0.999_999), 60_000);
    const spread = new Set(Array.from({ length: 200 }, () => jitteredTtlMs(60)));
    assert.ok(spread.size > 100, 'entries filled together get different lifetimes');
    for (const ttl of spread) assert.ok(ttl >= 48_000 && ttl <= 60_000);
  });
});

describe('entryLifetimeMs', () => {
  it('cuts the jittered TTL to a request’s cap, and stores nothing once the cap is reached', () => {
    assert.equal(entryLifetimeMs(60, undefined, 0), 48_000);
    assert.equal(entryLifetimeMs(60, 1_500.7, 0.5), 1_500, 'an answer valid 1.5 s more lives 1.5 s');
    assert.equal(entryLifetimeMs(60, 90_000, 0.999_999), 60_000, 'never past the route TTL');
    assert.ok(entryLifetimeMs(60, 0) <= 0);
    assert.ok(entryLifetimeMs(60, -5) <= 0);
  });
});
