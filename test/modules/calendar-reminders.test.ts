import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { calendarContext } from '../../src/modules/calendar/index.ts';
import { firesBetween, nextFire, sendDueReminders } from '../../src/modules/calendar/reminders.ts';
import { RULES } from '../../src/modules/notifications/catalog.ts';
import { render } from '../../src/modules/notifications/messages.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, testAuth } from '../support/test-auth.ts';

const salsa = {
  // Thursdays 19:00–20:30 Europe/Berlin from 18 March 2027; DST starts on 28 March.
  startsAt: new Date('2027-03-18T18:00:00Z'),
  endsAt: new Date('2027-03-18T19:30:00Z'),
  timeZone: 'Europe/Berlin',
  allDay: false,
  recurrence: 'FREQ=WEEKLY;BYDAY=TH',
};

describe('calendar reminders (times)', () => {
  it('fires 30 minutes before 19:00 local on both sides of the DST change', () => {
    const fires = firesBetween(
      salsa,
      [30, 1440],
      new Date('2027-03-20T00:00:00Z'),
      new Date('2027-04-02T00:00:00Z'),
    );
    assert.deepEqual(
      fires.map((f) => [f.at.toISOString(), f.minutesBefore]),
      [
        ['2027-03-24T18:00:00.000Z', 1440],
        ['2027-03-25T17:30:00.000Z', 30],
        // After the change: 18:30 local is now 16:30 UTC, and the day-before reminder moves with it.
        ['2027-03-31T17:00:00.000Z', 1440],
        ['2027-04-01T16:30:00.000Z', 30],
      ],
    );
    assert.equal(
      nextFire(salsa, [30], new Date('2027-03-25T17:30:00Z'))?.at.toISOString(),
      '2027-04-01T16:30:00.000Z',
    );
    // A reminder before the first occurrence only; none after a series ends.
    const once = { ...salsa, recurrence: null };
    assert.equal(nextFire(once, [30], new Date('2027-03-18T17:31:00Z')), null);
    // A yearly event far ahead is still found.
    const yearly = { ...salsa, recurrence: 'FREQ=YEARLY' };
    assert.equal(
      nextFire(yearly, [60], new Date('2027-03-19T00:00:00Z'))?.at.toISOString(),
      '2028-03-18T17:00:00.000Z',
    );
  });
});

describe('calendar reminders (job and notification)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const call = (userId: string, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const jobOf = async (eventId: string) =>
    (
      await sql<{
        run_at: Date;
      }>`select run_at from graphile_worker.jobs where key = ${`calendar-remind:${eventId}`}`.execute(
        t.platform.database.db,
      )
    ).rows[0]?.run_at;
  const reminders = async (eventId: string) =>
    (
      await sql<{ data: Record<string, unknown> }>`select data from outbox_events
        where type = 'calendar.reminder-due' and data->>'eventId' = ${eventId} order by occurred_at`.execute(
        t.platform.database.db,
      )
    ).rows.map((row) => row.data);

  it('plans a job at the next reminder, sends what is due once, in each partner zone, and plans the next', async () => {
    const { a, b } = await makeCouple(t);
    await call(a, 'PATCH', '/v1/users/me', { timeZone: 'Europe/Berlin' });
    await call(b, 'PATCH', '/v1/users/me', { timeZone: 'America/New_York', locale: 'en-US' });
    // Daily at a wall time 20 minutes from now in Berlin, reminded 30 minutes before: the first reminder was 10 minutes ago.
    const soon = new Date(Date.now() + 20 * 60_000);
    const local = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Berlin',
      dateStyle: 'short',
      timeStyle: 'short',
    })
      .format(soon)
      .replace(' ', 'T');
    const created = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Yoga',
      start: local,
      recurrence: 'FREQ=DAILY;COUNT=3',
      reminders: [30],
    });
    assert.equal(created.statusCode, 201, created.body);
    const event = created.json().data;
    const planned = await jobOf(event.id);
    assert.ok(planned, 'a reminder job is planned');
    // Past at creation, so the first reminder is skipped: the job waits for tomorrow's.
    assert.equal(planned.getTime(), new Date(event.startsAt).getTime() + 86_400_000 - 30 * 60_000);

    // The job runs late (as after a crash): the mark says what was sent, so run it "from" 15 minutes ago.
    await t.platform.database.db
      .updateTable('calendar_events' as never)
      .set({ reminded_through: new Date(Date.now() - 15 * 60_000) } as never)
      .where('id' as never, '=', event.id as never)
      .execute();
    const ctx = calendarContext(t.platform);
    assert.equal(await sendDueReminders(ctx, event.coupleId, event.id), 1);
    assert.equal(
      await sendDueReminders(ctx, event.coupleId, event.id),
      0,
      'a repeated run sends nothing twice',
    );
    const sent = await reminders(event.id);
    assert.equal(sent.length, 1);
    const data = sent[0] as {
      recipients: Array<{ userId: string; timeZone: string; localStart: string }>;
      minutesBefore: number;
    };
    assert.equal(data.minutesBefore, 30);
    assert.deepEqual(
      data.recipients.map((r) => [r.userId, r.timeZone]).sort(),
      [
        [a, 'Europe/Berlin'],
        [b, 'America/New_York'],
      ].sort(),
    );

    // Notifications' catalog turns it into one reminder each, with the start in their own zone.
    const specs = RULES['calendar.reminder-due']!({
      id: 'e1',
      type: 'calendar.reminder-due',
      actorId: null,
      coupleId: event.coupleId,
      data,
    });
    assert.deepEqual(specs.map((s) => s.userId).sort(), [a, b].sort());
    const forB = specs.find((s) => s.userId === b)!;
    assert.equal(forB.category, 'reminders');
    const nyTime = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      hour: 'numeric',
      minute: '2-digit',
    }).format(new Date(event.startsAt));
    assert.ok(forB.params.when?.includes(nyTime), `${forB.params.when} shows ${nyTime}`);
    assert.equal(render(forB.kind, 'en', forB.params).title, 'Reminder: Yoga');
    assert.ok(await jobOf(event.id));
  });

  it('reminds only the author of an unrevealed surprise, and drops the job with the event', async () => {
    const { a, b } = await makeCouple(t);
    const start = new Date(Date.now() + 20 * 60_000);
    const created = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Gift',
      start: start.toISOString(),
      timeZone: 'UTC',
      reminders: [10],
      surprise: true,
      revealAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const event = created.json().data;
    assert.ok(await jobOf(event.id));
    await t.platform.database.db
      .updateTable('calendar_events' as never)
      .set({ reminded_through: new Date(start.getTime() - 11 * 60_000) } as never)
      .where('id' as never, '=', event.id as never)
      .execute();
    // Pretend it is now past the reminder: move the event 15 minutes earlier in the database.
    await sql`update calendar_events set starts_at = starts_at - interval '15 minutes', ends_at = ends_at - interval '15 minutes',
      reminded_through = reminded_through - interval '15 minutes' where id = ${event.id}`.execute(
      t.platform.database.db,
    );
    assert.equal(await sendDueReminders(calendarContext(t.platform), event.coupleId, event.id), 1);
    const [data] = (await reminders(event.id)) as Array<{ recipients: Array<{ userId: string }> }>;
    assert.deepEqual(
      data?.recipients.map((r) => r.userId),
      [a],
    );
    assert.ok(!data?.recipients.some((r) => r.userId === b));

    const other = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Later',
      start: new Date(Date.now() + 86_400_000).toISOString(),
      reminders: [5],
    });
    const id = other.json().data.id;
    assert.ok(await jobOf(id));
    assert.equal((await call(a, 'PATCH', `/v1/calendar/events/${id}`, { reminders: [] })).statusCode, 200);
    assert.equal(await jobOf(id), undefined);
    assert.equal((await call(a, 'PATCH', `/v1/calendar/events/${id}`, { reminders: [60] })).statusCode, 200);
    assert.ok(await jobOf(id));
    assert.equal((await call(a, 'DELETE', `/v1/calendar/events/${id}`)).statusCode, 200);
    assert.equal(await jobOf(id), undefined);
  });
});

describe('calendar series end', () => {
  it('finds the last occurrence of a long UNTIL series and of a COUNT series', async () => {
    const { seriesEnd } = await import('../../src/modules/calendar/recurrence.ts');
    const daily = { ...salsa, recurrence: 'FREQ=DAILY;UNTIL=20330101T000000Z' };
    // More than 1000 occurrences: the last starts on 31 December 2032 at 19:00 Berlin (18:00 UTC).
    assert.equal(seriesEnd(daily)?.toISOString(), '2032-12-31T19:30:00.000Z');
    assert.equal(
      seriesEnd({ ...salsa, recurrence: 'FREQ=WEEKLY;COUNT=3' })?.toISOString(),
      '2027-04-01T18:30:00.000Z',
    );
    assert.equal(seriesEnd({ ...salsa, recurrence: 'FREQ=WEEKLY' }), null);
  });
});

describe('calendar expansion fast-forward', () => {
  it('gives the same occurrences as the walk from the first start, for DAILY and WEEKLY rules', async () => {
    const fc = (await import('fast-check')).default;
    const { occurrencesBetween } = await import('../../src/modules/calendar/recurrence.ts');
    const rules = [
      'FREQ=DAILY',
      'FREQ=DAILY;INTERVAL=3',
      'FREQ=DAILY;INTERVAL=5;BYDAY=MO,FR',
      'FREQ=DAILY;BYMONTH=3,10;BYMONTHDAY=1,15,31',
      'FREQ=WEEKLY',
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SA',
      'FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,WE',
      'FREQ=WEEKLY;INTERVAL=2;UNTIL=20400101T000000Z',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...rules),
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'UTC'),
        fc.integer({ min: 0, max: 20 * 365 }),
        fc.integer({ min: 0, max: 40 * 365 }),
        (recurrence, timeZone, startDay, windowDay) => {
          const startsAt = new Date(Date.UTC(2000, 0, 1 + startDay, 17, 30));
          const event = {
            startsAt,
            endsAt: new Date(startsAt.getTime() + 5_400_000),
            timeZone,
            allDay: false,
            recurrence,
          };
          const from = new Date(Date.UTC(2000, 0, 1 + windowDay));
          const to = new Date(from.getTime() + 40 * 86_400_000);
          const fast = occurrencesBetween(event, from, to).map((o) => o.start.toISOString());
          const slow = occurrencesBetween(event, from, to, { fastForward: false }).map((o) =>
            o.start.toISOString(),
          );
          assert.deepEqual(fast, slow);
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });
});
