import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextReveal } from '../../src/modules/calendar/cache.ts';
import { calendarPersonalData } from '../../src/modules/calendar/personal-data.ts';
import type { EventRow } from '../../src/modules/calendar/tables.ts';
import type { TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import {
  type CacheMode,
  freshWithin,
  read,
  readOk,
  settleMs,
  twoInstances,
  warmUntilHit,
} from '../support/response-cache.ts';
import { needs } from '../support/servers.ts';
import { as } from '../support/test-auth.ts';

type Month = {
  timeZone: string;
  occurrences: Array<{ eventId: string; title: string; start: string; recurring: boolean }>;
};

describe('calendar cache: how long a month stays right', () => {
  const row = (fields: Partial<EventRow>) =>
    ({ author_id: 'author', surprise: false, reveal_at: null, ...fields }) as EventRow;
  const now = new Date('2027-05-01T12:00:00Z');
  it('ends at the first reveal of a surprise hidden from the viewer, and nothing else', () => {
    const hidden = row({ surprise: true, reveal_at: new Date('2027-05-01T12:00:05Z') });
    const later = row({ surprise: true, reveal_at: new Date('2027-05-02T12:00:00Z') });
    const revealed = row({ surprise: true, reveal_at: new Date('2027-04-30T12:00:00Z') });
    assert.equal(nextReveal([row({}), later, hidden, revealed], 'partner', now), hidden.reveal_at);
    assert.equal(nextReveal([hidden], 'author', now), undefined, 'the author sees it already');
    assert.equal(nextReveal([row({}), revealed], 'partner', now), undefined);
  });
});

/**
 * GET /calendar (a month) is cached per user. Every write is made on one
 * instance and checked on the other, against entries that were cached (a HIT)
 * just before: both partners' next month must be fresh. Without Redis the
 * other instance hears of the invalidation through PostgreSQL NOTIFY, within moments.
 */
function suite(mode: CacheMode) {
  describe(
    `calendar months in the response cache (${mode})`,
    mode === 'redis' ? needs('REDIS_URL') : {},
    () => {
      const apps = twoInstances(mode);

      const URL = '/v1/calendar?year=2027&month=5';
      const get = (app: TestApp, user: string) => read<Month>(app, user, URL);
      const month = (app: TestApp, user: string) => readOk<Month>(app, user, URL);
      const write = async (
        app: TestApp,
        user: string,
        method: 'POST' | 'PATCH' | 'DELETE',
        url: string,
        payload?: object,
      ) => {
        const res = await app.app.inject({ method, url, headers: as(user), ...(payload ? { payload } : {}) });
        assert.ok(res.statusCode === 200 || res.statusCode === 201, res.body);
        return res.json().data;
      };
      const warm = async (app: TestApp, ...users: string[]) => {
        for (const user of users)
          await warmUntilHit(() => month(app, user), settleMs(mode), `the month of ${user} is cached`);
      };
      /** At once with Redis, within moments without (NOTIFY); never the entry cached before (TTL a minute). */
      const fresh = async (app: TestApp, user: string, check: (m: Month) => boolean, what: string) =>
        freshWithin(async () => (await month(app, user)).data, check, settleMs(mode), what);
      const titles = (m: Month) => m.occurrences.map((o) => o.title);

      it('serves a hit while nothing changes, and both partners fresh after a create, edit and delete', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        await warm(two, a, b);
        const dinner = await write(one, a, 'POST', '/v1/calendar/events', {
          title: 'Dinner',
          start: '2027-05-10T19:00',
          timeZone: 'Europe/Berlin',
        });
        await fresh(two, b, (m) => titles(m).includes('Dinner'), 'b sees the new event');
        await fresh(two, a, (m) => titles(m).includes('Dinner'), 'a sees the new event');

        await warm(one, a, b);
        await write(two, b, 'PATCH', `/v1/calendar/events/${dinner.id}`, { title: 'Late dinner' });
        await fresh(one, a, (m) => titles(m).join() === 'Late dinner', 'a sees the edit');
        await fresh(one, b, (m) => titles(m).join() === 'Late dinner', 'b sees the edit');

        // A recurring series: every occurrence of the month, then none once it is deleted.
        await warm(two, a, b);
        const weekly = await write(one, b, 'POST', '/v1/calendar/events', {
          title: 'Run',
          start: '2027-05-03T07:00',
          timeZone: 'Europe/Berlin',
          recurrence: 'FREQ=WEEKLY',
        });
        await fresh(two, a, (m) => titles(m).filter((t) => t === 'Run').length === 5, 'the five Mondays');
        await warm(two, a, b);
        await write(one, b, 'PATCH', `/v1/calendar/events/${weekly.id}`, {
          recurrence: 'FREQ=WEEKLY;COUNT=2',
        });
        await fresh(two, a, (m) => titles(m).filter((t) => t === 'Run').length === 2, 'the series shortened');
        await warm(two, a, b);
        await write(one, a, 'DELETE', `/v1/calendar/events/${weekly.id}`);
        await write(one, a, 'DELETE', `/v1/calendar/events/${dinner.id}`);
        await fresh(two, b, (m) => m.occurrences.length === 0, 'b sees the deletes');
        await fresh(two, a, (m) => m.occurrences.length === 0, 'a sees the deletes');
      });

      it('shows a surprise to the partner at its reveal, without any write', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        const revealAt = new Date(Date.now() + 1_500).toISOString();
        await write(one, a, 'POST', '/v1/calendar/events', {
          title: 'Surprise trip',
          start: '2027-05-20T09:00',
          timeZone: 'Europe/Berlin',
          surprise: true,
          revealAt,
        });
        await warm(two, b);
        assert.deepEqual(titles((await month(two, b)).data), [], 'hidden before its reveal');
        await new Promise((r) => setTimeout(r, 1_700));
        const after = await month(two, b);
        assert.notEqual(after.cache, 'HIT', 'the entry ended at the reveal');
        assert.deepEqual(titles(after.data), ['Surprise trip']);
      });

      it('follows a time zone change, an erasure and unlinking on every instance', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        await warm(two, a);
        await write(one, a, 'PATCH', '/v1/users/me', { timeZone: 'America/New_York' });
        await fresh(two, a, (m) => m.timeZone === 'America/New_York', 'the month in the new zone');

        // A revealed surprise of a's is erased with a's data: gone from b's month too.
        await write(one, a, 'POST', '/v1/calendar/events', {
          title: 'Revealed',
          start: '2027-05-21T09:00',
          timeZone: 'Europe/Berlin',
          surprise: true,
          revealAt: '2020-01-01T00:00:00Z',
        });
        await warm(two, b);
        assert.deepEqual(titles((await month(two, b)).data), ['Revealed']);
        await calendarPersonalData.erase(one.platform, a);
        await fresh(two, b, (m) => m.occurrences.length === 0, "a's erased surprise");

        await warm(two, a, b);
        const unlinked = await one.app.inject({ method: 'DELETE', url: '/v1/couples/me', headers: as(b) });
        assert.equal(unlinked.statusCode, 200, unlinked.body);
        for (const user of [a, b]) {
          await freshWithin(
            async () => (await get(two, user)).status,
            (s) => s === 409,
            settleMs(mode),
            'no calendar without a couple',
          );
        }
      });
    },
  );
}

suite('memory');
suite('redis');
