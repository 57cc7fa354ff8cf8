import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClock, quietUntil } from './quiet-hours.ts';

const night = (timeZone: string) => ({ start: parseClock('22:00')!, end: parseClock('07:00')!, timeZone });

describe('quiet hours', () => {
  it('holds until the local end of a window that crosses midnight', () => {
    // 23:30 in Berlin (UTC+1 in November) is 22:30 UTC; quiet ends 07:00 Berlin = 06:00 UTC.
    assert.equal(
      quietUntil(night('Europe/Berlin'), new Date('2026-11-25T22:30:00Z'))?.toISOString(),
      '2026-11-26T06:00:00.000Z',
    );
    // 03:15 Berlin, same night.
    assert.equal(
      quietUntil(night('Europe/Berlin'), new Date('2026-11-26T02:15:00Z'))?.toISOString(),
      '2026-11-26T06:00:00.000Z',
    );
  });

  it('lets the same instant through where it is daytime', () => {
    const instant = new Date('2026-11-25T22:30:00Z');
    assert.equal(quietUntil(night('Europe/Berlin'), instant)?.toISOString(), '2026-11-26T06:00:00.000Z');
    // 14:30 in Los Angeles, 07:30 next morning in Tokyo: both outside the window.
    assert.equal(quietUntil(night('America/Los_Angeles'), instant), undefined);
    assert.equal(quietUntil(night('Asia/Tokyo'), instant), undefined);
    // 09:30 in Sydney (UTC+11): outside; at 22:30 Sydney it is inside, ending 07:00 Sydney = 20:00 UTC.
    assert.equal(quietUntil(night('Australia/Sydney'), instant), undefined);
    assert.equal(
      quietUntil(night('Australia/Sydney'), new Date('2026-11-25T11:30:00Z'))?.toISOString(),
      '2026-11-25T20:00:00.000Z',
    );
  });

  it('handles a same-day window and its edges', () => {
    const lunch = { start: parseClock('12:00')!, end: parseClock('13:00')!, timeZone: 'UTC' };
    assert.equal(quietUntil(lunch, new Date('2026-11-25T11:59:59Z')), undefined);
    assert.equal(
      quietUntil(lunch, new Date('2026-11-25T12:00:00Z'))?.toISOString(),
      '2026-11-25T13:00:00.000Z',
    );
    assert.equal(quietUntil(lunch, new Date('2026-11-25T13:00:00Z')), undefined);
    assert.equal(quietUntil({ start: 600, end: 600, timeZone: 'UTC' }, new Date()), undefined);
  });

  it('ends at local 07:00 across a daylight-saving change', () => {
    // New York falls back on 2026-11-01 at 02:00: 23:00 EDT (03:00 UTC) → 07:00 EST (12:00 UTC).
    assert.equal(
      quietUntil(night('America/New_York'), new Date('2026-11-01T03:00:00Z'))?.toISOString(),
      '2026-11-01T12:00:00.000Z',
    );
  });

  it('treats an unknown time zone as UTC and parses only HH:MM', () => {
    assert.equal(
      quietUntil(night('Not/AZone'), new Date('2026-11-25T23:00:00Z'))?.toISOString(),
      '2026-11-26T07:00:00.000Z',
    );
    assert.equal(parseClock('24:00'), undefined);
    assert.equal(parseClock('7:00'), undefined);
    assert.equal(parseClock('07:05'), 425);
  });
});
