import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { countdowns } from '../../src/modules/calendar/countdowns.ts';
import { calendarContext, calendarModule } from '../../src/modules/calendar/index.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

describe('calendar (REST)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const call = (userId: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const zone = async (userId: string, timeZone: string) =>
    assert.equal((await call(userId, 'PATCH', '/v1/users/me', { timeZone })).statusCode, 200);
  const month = async (userId: string, year: number, m: number, extra = '') => {
    const res = await call(userId, 'GET', `/v1/calendar?year=${year}&month=${m}${extra}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data;
  };

  it('creates, reads, changes and deletes an event; the partner sees it', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const created = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Dinner at Lina’s 🍝',
      notes: 'Bring wine',
      location: 'Kastanienallee 5',
      start: '2026-12-04T19:30',
      end: '2026-12-04T22:00',
      timeZone: 'Europe/Berlin',
      reminders: [60, 15],
    });
    assert.equal(created.statusCode, 201, created.body);
    const event = created.json().data;
    assert.equal(event.coupleId, coupleId);
    assert.equal(event.start, '2026-12-04T19:30:00+01:00');
    assert.equal(event.startsAt, '2026-12-04T18:30:00.000Z');
    assert.deepEqual(event.reminders, [15, 60]);
    assert.equal(
      (await call(b, 'GET', `/v1/calendar/events/${event.id}`)).json().data.title,
      'Dinner at Lina’s 🍝',
    );
    const patched = await call(b, 'PATCH', `/v1/calendar/events/${event.id}`, {
      start: '2026-12-04T20:00+01:00',
      location: null,
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().data.location, null);
    assert.equal(patched.json().data.startsAt, '2026-12-04T19:00:00.000Z');
    // Moved without an end, it keeps its length (2.5 h).
    assert.equal(patched.json().data.endsAt, '2026-12-04T21:30:00.000Z');
    const list = await call(a, 'GET', '/v1/calendar/events?limit=1');
    assert.equal(list.json().data.length, 1);
    assert.equal((await call(a, 'DELETE', `/v1/calendar/events/${event.id}`)).statusCode, 200);
    assert.equal((await call(b, 'GET', `/v1/calendar/events/${event.id}`)).statusCode, 404);
  });

  it('keeps a weekly 19:00 Europe/Berlin event at 19:00 local across the DST change', async () => {
    const { a, b } = await makeCouple(t);
    await zone(a, 'Europe/Berlin');
    await zone(b, 'America/New_York');
    const res = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Salsa class',
      start: '2027-03-11T19:00',
      end: '2027-03-11T20:30',
      recurrence: 'FREQ=WEEKLY;BYDAY=TH',
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().data.timeZone, 'Europe/Berlin');
    const march = await month(a, 2027, 3);
    const starts = march.occurrences.map((o: { start: string }) => o.start);
    assert.deepEqual(starts, [
      '2027-03-11T19:00:00+01:00',
      '2027-03-18T19:00:00+01:00',
      '2027-03-25T19:00:00+01:00',
    ]);
    const april = await month(a, 2027, 4);
    assert.equal(april.occurrences[0].start, '2027-04-01T19:00:00+02:00');
    assert.equal(april.occurrences[0].startsAt, '2027-04-01T17:00:00.000Z');
    assert.equal(april.occurrences[0].endsAt, '2027-04-01T18:30:00.000Z');
    assert.equal(april.occurrences.length, 5);
    // The partner in New York gets the same instants, with their own month boundaries.
    const hers = await month(b, 2027, 3);
    assert.equal(hers.timeZone, 'America/New_York');
    assert.deepEqual(
      hers.occurrences.map((o: { startsAt: string }) => o.startsAt),
      march.occurrences.map((o: { startsAt: string }) => o.startsAt),
    );
  });

  it('expands all-day, monthly and counted series', async () => {
    const { a } = await makeCouple(t);
    const trip = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Lisbon',
      allDay: true,
      start: '2027-01-30',
      end: '2027-02-02',
      timeZone: 'Europe/Lisbon',
    });
    assert.equal(trip.statusCode, 201, trip.body);
    assert.equal(trip.json().data.end, '2027-02-02');
    const last = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Date night',
      start: '2027-01-29T20:00',
      timeZone: 'UTC',
      recurrence: 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=3',
    });
    assert.equal(last.statusCode, 201, last.body);
    const feb = await month(a, 2027, 2, '&timeZone=UTC');
    assert.deepEqual(
      feb.occurrences.map((o: { title: string; start: string }) => [o.title, o.start]),
      [
        ['Lisbon', '2027-01-30'],
        ['Date night', '2027-02-26T20:00:00Z'],
      ],
    );
    assert.equal((await month(a, 2027, 4, '&timeZone=UTC')).occurrences.length, 0);
  });

  it('hides a surprise from the partner until its reveal time', async () => {
    const { a, b } = await makeCouple(t);
    const hidden = (
      await call(a, 'POST', '/v1/calendar/events', {
        title: 'Surprise trip to Rome',
        start: '2027-05-01T09:00',
        timeZone: 'Europe/Rome',
        surprise: true,
        revealAt: '2027-04-30T18:00:00Z',
      })
    ).json().data;
    const revealed = (
      await call(a, 'POST', '/v1/calendar/events', {
        title: 'Already revealed',
        start: '2027-05-02T09:00',
        timeZone: 'Europe/Rome',
        surprise: true,
        revealAt: '2020-01-01T00:00:00Z',
      })
    ).json().data;
    assert.equal((await call(b, 'GET', `/v1/calendar/events/${hidden.id}`)).statusCode, 404);
    assert.equal(
      (await call(b, 'PATCH', `/v1/calendar/events/${hidden.id}`, { title: 'x' })).statusCode,
      404,
    );
    assert.equal((await call(b, 'DELETE', `/v1/calendar/events/${hidden.id}`)).statusCode, 404);
    assert.equal(
      (await call(b, 'PATCH', `/v1/calendar/events/${revealed.id}`, { title: 'x' })).statusCode,
      403,
    );
    const titles = async (user: string) =>
      (await month(user, 2027, 5, '&timeZone=Europe/Rome')).occurrences.map(
        (o: { title: string }) => o.title,
      );
    assert.deepEqual(await titles(a), ['Surprise trip to Rome', 'Already revealed']);
    assert.deepEqual(await titles(b), ['Already revealed']);
    const listed = (await call(b, 'GET', '/v1/calendar/events')).json().data.map((e: { id: string }) => e.id);
    assert.deepEqual(listed, [revealed.id]);
  });

  it('answers GraphQL calendar(month, year) exactly as REST, surprises hidden alike', async () => {
    const { a, b } = await makeCouple(t);
    await call(a, 'POST', '/v1/calendar/events', {
      title: 'Yoga',
      start: '2027-10-20T07:00',
      timeZone: 'Europe/Berlin',
      recurrence: 'FREQ=WEEKLY',
    });
    await call(a, 'POST', '/v1/calendar/events', {
      title: 'Hidden',
      start: '2027-10-22T07:00',
      timeZone: 'Europe/Berlin',
      surprise: true,
    });
    const query = `query($m: Int!, $y: Int!, $z: String) { calendar(month: $m, year: $y, timeZone: $z) {
      year month timeZone from to occurrences { eventId title location allDay start end startsAt endsAt timeZone recurring surprise } } }`;
    for (const user of [a, b]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: as(user),
        payload: { query, variables: { m: 10, y: 2027, z: 'Europe/Berlin' } },
      });
      assert.equal(res.statusCode, 200, res.body);
      const rest = await month(user, 2027, 10, '&timeZone=Europe/Berlin');
      assert.deepEqual(res.json().data.calendar, rest);
      assert.equal(rest.occurrences.length, user === a ? 3 : 2);
      assert.equal(rest.occurrences.at(-1).start, '2027-10-27T07:00:00+02:00');
    }
    const bad = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: as(a),
      payload: { query: '{ calendar(month: 13, year: 2027) { year } }' },
    });
    assert.equal(bad.json().errors[0].extensions.code, 'VALIDATION_ERROR');
  });

  it('refuses bad input with 400 and changes nothing', async () => {
    const { a } = await makeCouple(t);
    const bad = [
      { title: 'x', start: 'tomorrow' },
      { title: 'x', start: '2027-01-01T10:00', timeZone: 'Mars/Olympus' },
      { title: 'x', start: '2027-01-01T10:00', recurrence: 'FREQ=SECONDLY' },
      { title: 'x', start: '2027-01-01T10:00', recurrence: 'FREQ=DAILY;COUNT=5;UNTIL=20270201T000000Z' },
      { title: 'x', start: '2027-01-01T10:00', recurrence: 'FREQ=DAILY;FOO=1' },
      // Never occurs (rrule alone would walk to the year 9999), and a start that is not an occurrence.
      { title: 'x', start: '2027-01-01T10:00', recurrence: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5' },
      { title: 'x', start: '2027-01-01T10:00', recurrence: 'FREQ=WEEKLY;BYDAY=MO' },
      { title: 'x', start: '2027-01-01T10:00', end: '2027-01-01T09:00' },
      { title: 'x', allDay: true, start: '2027-01-01T10:00' },
      { title: 'x', start: '2027-01-01T10:00', revealAt: '2027-01-01T00:00:00Z' },
      { title: '   ', start: '2027-01-01T10:00' },
      { title: 'x', start: '2027-01-01T10:00', reminders: [5, 5] },
      { title: 'x', start: '2027-01-01T10:00', extra: true },
      { title: 'x', start: 20270101 },
    ];
    for (const payload of bad) {
      const res = await call(a, 'POST', '/v1/calendar/events', payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
    }
    assert.equal((await call(a, 'GET', '/v1/calendar/events')).json().data.length, 0);
    assert.equal((await call(a, 'GET', '/v1/calendar?year=2027&month=13')).statusCode, 400);
    assert.equal((await call(a, 'GET', '/v1/calendar/events?cursor=eyJ4IjoxfQ')).statusCode, 400);
    assert.equal((await call(newUserId(), 'GET', '/v1/calendar?year=2027&month=1')).statusCode, 409);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/v1/calendar?year=2027&month=1' })).statusCode,
      401,
    );
  });

  it("exports and erases a person's events; a purged couple's events go", async () => {
    const { a, b, coupleId } = await makeCouple(t);
    await call(a, 'POST', '/v1/calendar/events', { title: 'Shared', start: '2027-06-01T10:00' });
    await call(a, 'POST', '/v1/calendar/events', {
      title: 'Secret',
      start: '2027-06-02T10:00',
      surprise: true,
    });
    const data = (await calendarModule().personalData!.export(t.platform, a)) as { eventsCreated: unknown[] };
    assert.equal(data.eventsCreated.length, 2);
    await calendarModule().personalData!.erase(t.platform, a);
    const left = (await call(b, 'GET', '/v1/calendar/events')).json().data;
    assert.deepEqual(
      left.map((e: { title: string; authorId: string | null }) => [e.title, e.authorId]),
      [['Shared', null]],
    );
    const stopModule = await calendarModule().worker!(t.platform);
    const stopBus = await t.platform.bus.start();
    try {
      await publish(t.platform.database.db, 'couple.purged', { coupleId });
      const count = async () =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from calendar_events where couple_id = ${coupleId}`.execute(
            t.platform.database.db,
          )
        ).rows[0]?.n;
      const deadline = Date.now() + 15_000;
      while ((await count()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await count(), 0);
    } finally {
      await stopBus();
      await stopModule();
    }
  });
});

describe('calendar countdowns', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const call = (userId: string, method: 'GET' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });

  it('counts down to the anniversary, birthdays and the next days-together milestone in my zone', async () => {
    const { a, b } = await makeCouple(t);
    assert.equal(
      (
        await call(a, 'PATCH', '/v1/couples/me', {
          relationshipStart: '2024-02-29',
          anniversary: '2024-06-15',
        })
      ).statusCode,
      200,
    );
    assert.equal((await call(a, 'PATCH', '/v1/users/me', { timeZone: 'Pacific/Auckland' })).statusCode, 200);
    assert.equal((await call(b, 'PATCH', '/v1/users/me', { birthday: '1992-12-03' })).statusCode, 200);
    const res = await call(a, 'GET', '/v1/calendar/countdowns');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(
      res.json().data.some((c: { kind: string; userId: string }) => c.kind === 'birthday' && c.userId === b),
    );

    // 2 December 2026 at 12:00 UTC is already 3 December in Auckland: the partner's birthday is today.
    const list = await countdowns(
      calendarContext(t.platform),
      { id: a, role: 'user' } as never,
      new Date('2026-12-02T12:00:00Z'),
    );
    const byKind = Object.fromEntries(list.map((c) => [c.kind, c]));
    assert.equal(list[0]?.kind, 'birthday');
    assert.deepEqual(
      [byKind.birthday?.next, byKind.birthday?.daysLeft, byKind.birthday?.years],
      ['2026-12-03', 0, 34],
    );
    assert.deepEqual(
      [byKind.anniversary?.next, byKind.anniversary?.daysLeft, byKind.anniversary?.years],
      ['2027-06-15', 194, 3],
    );
    // 29 February falls on the 28th in a common year.
    assert.deepEqual(
      [byKind['relationship-start']?.next, byKind['relationship-start']?.years],
      ['2027-02-28', 3],
    );
    // 2024-02-29 + 1000 days = 2026-11-25 (past), so the next milestone is 1500 days.
    assert.deepEqual([byKind['days-together']?.days, byKind['days-together']?.next], [1500, '2028-04-08']);
  });
});
