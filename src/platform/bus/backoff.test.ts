import assert from 'node:assert/strict';
import { it } from 'node:test';
import { retryDelayMs } from './backoff.ts';

const policy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 30_000 };

it('doubles the cap per attempt, jitters below it and never drops under a tenth of the base', () => {
  assert.equal(
    retryDelayMs(policy, 1, () => 1),
    1000,
  );
  assert.equal(
    retryDelayMs(policy, 2, () => 1),
    2000,
  );
  assert.equal(
    retryDelayMs(policy, 4, () => 1),
    8000,
  );
  assert.equal(
    retryDelayMs(policy, 20, () => 1),
    30_000,
  );
  assert.equal(
    retryDelayMs(policy, 4, () => 0),
    100,
  );
  const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(policy, 5)));
  assert.ok(spread.size > 10, 'delays are jittered');
  for (const delay of spread) assert.ok(delay >= 100 && delay <= 16_000);
});
