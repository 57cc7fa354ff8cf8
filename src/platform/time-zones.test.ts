import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalZone, timeZoneChecker, zoneFormatter } from './time-zones.ts';

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

  it('hands out one wall-clock formatter a zone, the one that checked it', () => {
    const zones = timeZoneChecker();
    const berlin = zones.formatter('Europe/Berlin');
    assert.ok(berlin);
    assert.equal(berlin.resolvedOptions().timeZone, 'Europe/Berlin');
    assert.equal(zones.formatter('Europe/Berlin'), berlin, 'built once');
    assert.equal(zones.formatter('europe/berlin'), berlin, 'another spelling shares it');
    assert.equal(zones.remembered, 2, 'each spelling remembered as a name, as canonical() does');
    const parts = Object.fromEntries(
      berlin.formatToParts(new Date('2026-11-25T22:30:05Z')).map((part) => [part.type, part.value]),
    );
    assert.deepEqual([parts.hour, parts.minute, parts.second], ['23', '30', '05']);
    assert.equal(zones.formatter('+01:00'), undefined);
    assert.equal(zoneFormatter('Mars/Olympus_Mons'), undefined);
    assert.equal(zoneFormatter('utc')?.resolvedOptions().timeZone, 'UTC');
  });
});
