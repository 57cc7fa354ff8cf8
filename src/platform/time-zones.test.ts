import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalZone, timeZoneChecker } from './time-zones.ts';

describe('time zones', () => {
  it('answers IANA names in their canonical spelling', () => {
    assert.equal(canonicalZone('Europe/Berlin'), 'Europe/Berlin');
    assert.equal(canonicalZone('europe/berlin'), 'Europe/Berlin');
    assert.equal(canonicalZone('utc'), 'UTC');
    assert.match(
      canonicalZone('America/Argentina/Buenos_Aires') ?? '',
      /^America\/(Argentina\/)?Buenos_Aires$/,
    );
  });

  it('refuses unknown names and offsets, which are not zones', () => {
    for (const name of ['Mars/Olympus_Mons', '+01:00', '-05:00', 'UTC+1', '', 'Europe/', '../etc/passwd']) {
      assert.equal(canonicalZone(name), undefined, name);
    }
  });

  it('remembers valid names, bounded, and never an invalid one', () => {
    const zones = timeZoneChecker(2);
    assert.equal(zones.canonical('europe/berlin'), 'Europe/Berlin');
    assert.equal(zones.canonical('europe/berlin'), 'Europe/Berlin', 'the same answer when asked again');
    assert.equal(zones.remembered, 1);
    for (let i = 0; i < 2; i++) assert.equal(zones.canonical('Mars/Olympus_Mons'), undefined);
    assert.equal(zones.canonical('+01:00'), undefined);
    assert.equal(zones.remembered, 1, 'invalid names are not remembered');
    zones.canonical('Asia/Tokyo');
    zones.canonical('America/New_York');
    assert.equal(zones.remembered, 2, 'at most `max` names');
    assert.equal(zones.canonical('europe/berlin'), 'Europe/Berlin', 'an evicted name is checked again');
  });
});
