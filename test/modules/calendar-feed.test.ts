import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, testAuth } from '../support/test-auth.ts';

/** Every occurrence start in [from, to) of a VCALENDAR, expanded by ical.js (VTIMEZONEs registered first). */
function expandFeed(text: string, from: Date, to: Date): Array<{ summary: string; start: string }> {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  const found: Array<{ summary: string; start: string }> = [];
  for (const component of calendar.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(component);
    const length = event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime();
    const starts: InstanceType<typeof ICAL.Time>[] = [];
    if (event.isRecurring()) {
      const iterator = event.iterator();
      for (let next = iterator.next(); next && next.toJSDate() < to; next = iterator.next())
        starts.push(next);
    } else {
      starts.push(event.startDate);
    }
    for (const start of starts) {
      const at = start.toJSDate();
      if (at < to && at.getTime() + length > from.getTime()) {
        // All-day occurrences compare by date, timed ones by instant.
        found.push({ summary: event.summary, start: start.isDate ? start.toString() : at.toISOString() });
      }
    }
  }
  return found.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.summary < b.summary ? -1 : 1,
  );
}

describe('calendar iCal feed', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const call = (userId: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const fetchFeed = (url: string) => t.app.inject({ method: 'GET', url: new URL(url).pathname });

  it('round-trips through ical.js: the same occurrences as the month API, across DST; surprises hidden', async () => {
    const { a, b } = await makeCouple(t);
    const events = [
      {
        title: 'Salsa',
        start: '2027-03-04T19:00',
        end: '2027-03-04T20:30',
        timeZone: 'Europe/Berlin',
        recurrence: 'FREQ=WEEKLY;BYDAY=TH',
        reminders: [30],
      },
      {
        title: 'Call mum',
        start: '2027-03-01T18:00',
        timeZone: 'America/New_York',
        recurrence: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;UNTIL=20270601',
      },
      {
        title: 'Date night',
        start: '2027-01-29T20:00',
        timeZone: 'Europe/London',
        recurrence: 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=6',
      },
      {
        title: 'Anniversary weekend',
        allDay: true,
        start: '2026-03-27',
        end: '2026-03-28',
        timeZone: 'Europe/Berlin',
        recurrence: 'FREQ=YEARLY',
      },
      {
        title: 'Dentist; "urgent", really',
        start: '2027-03-15T08:15+01:00',
        timeZone: 'UTC',
        location: 'Main St, 1',
      },
      {
        title: 'Secret gift',
        start: '2027-03-20T12:00',
        timeZone: 'Europe/Berlin',
        surprise: true,
        revealAt: '2027-03-20T11:00:00Z',
      },
    ];
    for (const payload of events) {
      const res = await call(a, 'POST', '/v1/calendar/events', payload);
      assert.equal(res.statusCode, 201, res.body);
    }
    for (const [user, zone] of [
      [a, 'Europe/Berlin'],
      [b, 'America/New_York'],
    ] as const) {
      const feed = await call(user, 'POST', '/v1/calendar/feed');
      assert.equal(feed.statusCode, 200, feed.body);
      const res = await fetchFeed(feed.json().data.url);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/calendar/);
      assert.match(res.body, /BEGIN:VTIMEZONE\r\nTZID:Europe\/Berlin/);
      assert.match(res.body, /DTSTART;TZID=Europe\/Berlin:20270304T190000/);
      assert.match(res.body, /RRULE:FREQ=WEEKLY;BYDAY=TH/);
      assert.match(res.body, /TRIGGER:-PT30M/);
      for (const [year, month] of [
        [2027, 3],
        [2027, 4],
        [2027, 10],
        [2026, 3],
      ] as const) {
        const api = (
          await call(user, 'GET', `/v1/calendar?year=${year}&month=${month}&timeZone=${zone}`)
        ).json().data;
        const fromApi = api.occurrences
          .map((o: { title: string; start: string; startsAt: string; allDay: boolean }) => ({
            summary: o.title,
            start: o.allDay ? o.start : o.startsAt,
          }))
          .sort((x: { start: string; summary: string }, y: { start: string; summary: string }) =>
            x.start < y.start ? -1 : x.start > y.start ? 1 : x.summary < y.summary ? -1 : 1,
          );
        const fromFeed = expandFeed(res.body, new Date(api.from), new Date(api.to));
        assert.deepEqual(fromFeed, fromApi, `${year}-${month} as seen by ${user === a ? 'a' : 'b'}`);
        if (year === 2027 && month === 3) {
          const titles = fromFeed.map((o) => o.summary);
          assert.equal(titles.includes('Secret gift'), user === a);
          assert.ok(titles.includes('Dentist; "urgent", really'));
          // Salsa stays at 19:00 Berlin: 18:00Z before the change on 28 March, 17:00Z after.
          assert.ok(fromFeed.some((o) => o.summary === 'Salsa' && o.start === '2027-03-25T18:00:00.000Z'));
        }
        if (year === 2027 && month === 4) {
          assert.ok(fromFeed.some((o) => o.summary === 'Salsa' && o.start === '2027-04-01T17:00:00.000Z'));
        }
      }
    }
  });

  it('stops answering a rotated token, and answers 404 to made-up ones', async () => {
    const { a } = await makeCouple(t);
    const first = (await call(a, 'POST', '/v1/calendar/feed')).json().data.url;
    assert.equal((await fetchFeed(first)).statusCode, 200);
    const second = (await call(a, 'POST', '/v1/calendar/feed')).json().data.url;
    assert.notEqual(first, second);
    assert.equal((await fetchFeed(first)).statusCode, 404);
    assert.equal((await fetchFeed(second)).statusCode, 200);
    const token = new URL(second).pathname.split('/').at(-1) as string;
    const forged = `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`;
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/calendar/feed/${forged}` })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/calendar/feed/nope.ics' })).statusCode, 400);
    const stored = await t.platform.database.db
      .selectFrom('calendar_feeds')
      .select('token_hash')
      .where('user_id', '=', a)
      .executeTakeFirstOrThrow();
    assert.ok(!second.includes(stored.token_hash));
    assert.match(stored.token_hash, /^[0-9a-f]{64}$/);
  });
});
