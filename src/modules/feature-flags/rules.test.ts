import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketOf, evaluate, type FlagDefinition, inRollout } from './rules.ts';

const flag = (over: Partial<FlagDefinition> = {}): FlagDefinition => ({
  key: 'some-flag',
  enabled: true,
  defaultValue: false,
  rolloutPercentage: 0,
  allowUsers: new Set(),
  denyUsers: new Set(),
  ...over,
});

const ALICE = '0190a5d2-0000-7000-8000-00000000000a';
const BOB = '0190a5d2-0000-7000-8000-00000000000b';
/** SHA-256("<key>:<user id>"), first 32 bits, modulo 10,000: computed once by hand (node:crypto). */
const PINNED = { inboxAlice: 2961, inboxBob: 8495, coachAlice: 4863 };

describe('feature flag rules', () => {
  it('pins the bucket function: changing it would move users in and out of every running rollout', () => {
    assert.equal(bucketOf('new-inbox', ALICE), bucketOf('new-inbox', ALICE));
    assert.deepEqual(
      [bucketOf('new-inbox', ALICE), bucketOf('new-inbox', BOB), bucketOf('coach', ALICE)],
      [PINNED.inboxAlice, PINNED.inboxBob, PINNED.coachAlice],
    );
  });

  it('puts a user in from the percentage of their bucket on, and never out again as it grows', () => {
    const bucket = bucketOf('some-flag', ALICE);
    const threshold = Math.floor(bucket / 100) + 1;
    for (let pct = 0; pct <= 100; pct++) {
      assert.equal(inRollout('some-flag', ALICE, pct), pct >= threshold, `at ${pct}%`);
    }
  });

  it('evaluates kill switch, deny, allow, then rollout', () => {
    const lists = { allowUsers: new Set([ALICE]), denyUsers: new Set([BOB]) };
    assert.deepEqual(evaluate(flag({ ...lists, enabled: false, defaultValue: true }), BOB), {
      value: true,
      reason: 'DISABLED',
      variant: 'default',
    });
    assert.equal(evaluate(flag({ ...lists, enabled: false }), ALICE)?.value, false);
    assert.deepEqual(evaluate(flag({ ...lists, rolloutPercentage: 100 }), BOB), {
      value: false,
      reason: 'TARGETING_MATCH',
      variant: 'denied',
    });
    assert.equal(evaluate(flag({ ...lists }), ALICE)?.variant, 'allowed');
    assert.equal(
      evaluate(flag({ allowUsers: new Set([BOB]), denyUsers: new Set([BOB]) }), BOB)?.value,
      false,
    );
    assert.equal(evaluate(flag({ rolloutPercentage: 100 }), ALICE)?.reason, 'SPLIT');
    assert.equal(evaluate(flag({ rolloutPercentage: 0 }), ALICE)?.value, false);
  });

  it('answers without a user only where the rollout leaves no choice', () => {
    assert.equal(evaluate(flag({ rolloutPercentage: 100 }), undefined)?.value, true);
    assert.equal(evaluate(flag({ rolloutPercentage: 0 }), undefined)?.value, false);
    assert.equal(evaluate(flag({ rolloutPercentage: 50 }), undefined), null);
    assert.equal(evaluate(flag({ rolloutPercentage: 50, enabled: false }), undefined)?.reason, 'DISABLED');
  });
});
