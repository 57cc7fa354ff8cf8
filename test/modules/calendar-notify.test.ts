import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MODULES } from '../../src/modules/index.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, testAuth } from '../support/test-auth.ts';

/** The real workers: the calendar's reminder job fires, notifications puts it in each partner's inbox. */
describe('calendar reminders and daily questions reach the notifications inbox', () => {
  let t: TestApp;
  let stop: () => Promise<void>;
  before(async () => {
    t = await createTestApp({ JOBS_POLL_INTERVAL_MS: '100' }, { routes: testAuth });
    const stops: Array<() => Promise<void>> = [];
    for (const name of ['notifications', 'calendar', 'questions']) {
      stops.push(await MODULES.find((m) => m.name === name)!.worker!(t.platform));
    }
    stops.push(await startWorker(t.platform));
    stop = async () => {
      for (const s of stops.reverse()) await s();
    };
  });
  after(async () => {
    await stop();
    await t.close();
  });

  const call = (userId: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const inbox = async (userId: string) =>
    (await call(userId, 'GET', '/v1/notifications')).json().data as Array<{ title: string; body: string }>;

  it('a reminder due in a few seconds lands in both inboxes, the start in each one’s zone', async () => {
    const { a, b } = await makeCouple(t);
    await call(a, 'PATCH', '/v1/users/me', { timeZone: 'Europe/Berlin' });
    await call(b, 'PATCH', '/v1/users/me', { timeZone: 'America/New_York', locale: 'en-US' });
    const start = new Date(Date.now() + 30 * 60_000 + 3_000);
    const created = await call(a, 'POST', '/v1/calendar/events', {
      title: 'Dinner',
      start: start.toISOString(),
      timeZone: 'UTC',
      reminders: [30],
    });
    assert.equal(created.statusCode, 201, created.body);
    const time = (zone: string) =>
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(start);
    for (const [user, zone] of [
      [a, 'Europe/Berlin'],
      [b, 'America/New_York'],
    ] as const) {
      const items = await eventually(async () => {
        const found = (await inbox(user)).filter((item) => item.title === 'Reminder: Dinner');
        return found.length > 0 ? found : undefined;
      });
      assert.equal(items.length, 1);
      // Luxon's medium format in their locale, e.g. "Wed, Dec 2, 2026, 10:29 PM", in their own zone.
      const shown = items[0]!.body;
      assert.ok(shown.includes(time(zone)), `${shown} has ${time(zone)}`);
    }
  });

  it("tells a partner that the other answered the day's question", async () => {
    const { a, b } = await makeCouple(t);
    assert.equal((await call(a, 'POST', '/v1/questions/today/answer', { answer: 'Yes' })).statusCode, 200);
    const items = await eventually(async () => {
      const found = (await inbox(b)).filter(
        (item) => item.title === 'Your partner answered today’s question',
      );
      return found.length > 0 ? found : undefined;
    });
    assert.equal(items.length, 1);
    assert.equal((await inbox(a)).filter((item) => item.title.includes('answered')).length, 0);
  });
});
