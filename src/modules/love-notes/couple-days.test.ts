import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anniversaryDay, daysTogether, readableDay } from './couple-days.ts';

describe('couple days', () => {
  const linked = { linkedAt: new Date('2026-03-01T23:30:00Z'), relationshipStart: null, anniversary: null };

  it('counts days from the relationship start, else the link day, in the sender zone', () => {
    const started = { ...linked, relationshipStart: '2020-02-29' };
    assert.equal(daysTogether(started, new Date('2021-02-28T12:00:00Z'), 'UTC'), 365);
    // 2026-03-01T23:30Z is already 2 March in Tokyo, and 2026-03-02T16:00Z is 3 March there.
    assert.equal(daysTogether(linked, new Date('2026-03-02T16:00:00Z'), 'Asia/Tokyo'), 1);
    assert.equal(daysTogether(linked, new Date('2026-03-02T16:00:00Z'), 'UTC'), 1);
    assert.equal(daysTogether(linked, new Date('2026-03-02T01:00:00Z'), 'America/New_York'), 0);
    // Across a DST change a day is still one day.
    const spring = { ...linked, relationshipStart: '2026-03-28' };
    assert.equal(daysTogether(spring, new Date('2026-03-30T06:00:00Z'), 'Europe/Paris'), 2);
  });

  it('never counts below zero (a start set in the future by another zone)', () => {
    assert.equal(
      daysTogether({ ...linked, relationshipStart: '2026-03-05' }, new Date('2026-03-01'), 'UTC'),
      0,
    );
  });

  it('picks the anniversary, then the start, then the link day', () => {
    assert.equal(
      anniversaryDay({ ...linked, anniversary: '2019-06-01', relationshipStart: '2018-01-01' }, 'UTC'),
      '2019-06-01',
    );
    assert.equal(anniversaryDay({ ...linked, relationshipStart: '2018-01-01' }, 'UTC'), '2018-01-01');
    assert.equal(anniversaryDay(linked, 'Asia/Tokyo'), '2026-03-02');
  });

  it('writes the day in the locale, falling back to English', () => {
    assert.equal(readableDay('2021-02-14', 'en-GB'), '14 February 2021');
    assert.equal(readableDay('2021-02-14', 'en-US'), 'February 14, 2021');
    assert.equal(readableDay('2021-02-14', 'de-DE'), '14. Februar 2021');
    assert.equal(readableDay('2021-02-14', 'not a locale!'), 'February 14, 2021');
  });
});
