import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { assertSchedulable, localStart, nextOccurrence, parseRecurrence, wallClock } from './schedule.ts';

describe('love-note scheduling', () => {
  it('keeps a daily 08:00 at 08:00 local across the spring and autumn DST changes', () => {
    const zone = 'Europe/Paris';
    const wall = wallClock(localStart('2026-03-27T08:00', zone));
    const rule = parseRecurrence('FREQ=DAILY;COUNT=5');
    const times: string[] = [];
    let after = new Date('2026-03-27T00:00:00Z');
    for (;;) {
      const next = nextOccurrence(rule, wall, zone, after);
      if (!next) break;
      times.push(next.toISOString());
      after = next;
    }
    // 29 March 2026: Paris moves from UTC+1 to UTC+2.
    assert.deepEqual(times, [
      '2026-03-27T07:00:00.000Z',
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
    ]);
    const autumn = nextOccurrence(
      'FREQ=WEEKLY',
      '2026-10-18T08:00:00',
      'America/New_York',
      new Date('2026-10-30T00:00:00Z'),
    );
    // 1 November 2026: New York moves from UTC-4 to UTC-5; 08:00 local is 13:00Z.
    assert.equal(autumn?.toISOString(), '2026-11-01T13:00:00.000Z');
    assert.equal(DateTime.fromJSDate(autumn!).setZone('America/New_York').hour, 8);
  });

  it('reads an ISO time with an offset as an instant and a bare one as local', () => {
    assert.equal(localStart('2026-06-01T06:00:00Z', 'Europe/Paris').toISO(), '2026-06-01T08:00:00.000+02:00');
    assert.equal(localStart('2026-06-01T08:00', 'Asia/Tokyo').toUTC().toISO(), '2026-05-31T23:00:00.000Z');
    assert.throws(() => localStart('tomorrow', 'UTC'), /scheduledAt/);
  });

  it('refuses rules that rrule.js would loop on forever or trip over', () => {
    // Each of these blocked the event loop (or threw a TypeError) before parseRecurrence checked it.
    for (const rule of [
      'FREQ=WEEKLY;INTERVAL=-1',
      'FREQ=DAILY;INTERVAL=abc',
      'FREQ=DAILY;BYMONTH=13',
      'FREQ=DAILY;BYYEARDAY=400',
      'FREQ=WEEKLY;BYDAY=XX',
      'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30',
      'FREQ=MONTHLY;BYDAY=+5MO;BYMONTHDAY=1',
    ]) {
      assert.throws(() => parseRecurrence(rule), /recurrence/, rule);
    }
    assert.equal(
      parseRecurrence('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29'),
      'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
    );
    assert.equal(parseRecurrence('FREQ=MONTHLY;BYDAY=-1FR;COUNT=3'), 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=3');
  });

  it('refuses bad rules, sub-daily frequencies, past and far-future times', () => {
    assert.throws(() => parseRecurrence('FREQ=NOPE'), /not a valid RRULE|FREQ/);
    assert.throws(() => parseRecurrence('FREQ=MINUTELY'), /FREQ must be/);
    assert.throws(() => parseRecurrence('DTSTART:20260101T000000Z\nFREQ=DAILY'), /DTSTART/);
    assert.equal(parseRecurrence('RRULE:FREQ=WEEKLY;BYDAY=MO'), 'FREQ=WEEKLY;BYDAY=MO');
    const now = new Date('2026-01-01T00:00:00Z');
    assert.throws(() => assertSchedulable(new Date('2025-12-31T23:59:59Z'), now), /past/);
    assert.throws(() => assertSchedulable(new Date('2027-01-03T00:00:00Z'), now), /one year/);
    assert.doesNotThrow(() => assertSchedulable(new Date('2026-12-31T00:00:00Z'), now));
  });

  it('ends a series after its COUNT', () => {
    const rule = parseRecurrence('FREQ=DAILY;COUNT=2');
    const first = nextOccurrence(rule, '2026-05-01T09:00:00', 'UTC', new Date('2026-04-30T00:00:00Z'));
    const second = nextOccurrence(rule, '2026-05-01T09:00:00', 'UTC', first!);
    assert.equal(nextOccurrence(rule, '2026-05-01T09:00:00', 'UTC', second!), null);
  });

  it('refuses a start whose local year has five digits before it reaches rrule', () => {
    // Found by test/modules/graphql.test.ts: this used to be a 500 from rrule ("Invalid options: dtstart").
    assert.throws(() => localStart('9999-12-31T23:00:00.000Z', 'Europe/Paris'), /at most one year ahead/);
    assert.equal(wallClock(localStart('9999-12-31T23:00:00.000Z', 'UTC')), '9999-12-31T23:00:00');
  });
});
