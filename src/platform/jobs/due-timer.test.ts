import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueTimerDelay, MAX_DUE_WAIT_MS } from './jobs.ts';

describe('the due timer', () => {
  it('wakes just after a job that is due soon', () => {
    assert.equal(dueTimerDelay(1_000), 1_005);
    assert.equal(dueTimerDelay(0.2), 6);
    assert.equal(dueTimerDelay(-50), 0);
  });

  it('never asks Node for a timer longer than it can hold (it would fire at once, in a loop)', () => {
    const thirtyDays = 30 * 24 * 3600 * 1000;
    assert.ok(thirtyDays > 2 ** 31 - 1, 'the case that overflowed');
    assert.equal(dueTimerDelay(thirtyDays), MAX_DUE_WAIT_MS);
    assert.ok(MAX_DUE_WAIT_MS <= 2 ** 31 - 1);
  });
});
