import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jitteredTtlMs } from './plugin.ts';

describe('jitteredTtlMs', () => {
  it('spreads expiry over the last fifth of the TTL, never past it', () => {
    assert.equal(jitteredTtlMs(60, 0), 48_000);
    assert.equal(jitteredTtlMs(60, 0.999_999), 60_000);
    const spread = new Set(Array.from({ length: 200 }, () => jitteredTtlMs(60)));
    assert.ok(spread.size > 100, 'entries filled together get different lifetimes');
    for (const ttl of spread) assert.ok(ttl >= 48_000 && ttl <= 60_000);
  });
});
