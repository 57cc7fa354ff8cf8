import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { v4 as uuidv4 } from 'uuid';
import { refreshRollups } from '../../src/modules/analytics/index.ts';
import { type EventRow, insertEvents } from '../../src/modules/analytics/repo.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Admin queries against a fixture whose answers are worked out by hand below.
 *
 * Activity (`app.opened`), October 2026 (weeks start on Monday 5, 12, 19, 26):
 *   U1 (ios):     Oct 5, Oct 13, Oct 27
 *   U2 (android): Oct 7, Oct 14
 *   U3:           Oct 11
 *   U4:           Oct 13, Oct 20, Oct 21, Oct 27
 *   U5:           Oct 14
 * Cohorts by first week: Oct 5 = {U1, U2, U3}; Oct 12 = {U4, U5}.
 *   Oct 5 cohort, weeks 0..3: 3, 2 (U1, U2), 0, 1 (U1)
 *   Oct 12 cohort, weeks 0..3: 2, 1 (U4), 1 (U4), 0
 * DAU: Oct 5: 1, 7: 1, 11: 1, 13: 2, 14: 2, 20: 1, 21: 1, 27: 2.
 * WAU: Oct 5: 3, Oct 12: 4 (U1 U2 U4 U5), Oct 19: 1, Oct 26: 2. MAU October: 5.
 *
 * Funnel user.registered → couple.linked → love-note.sent, August 2026 (other users):
 *   F1: registered Aug 5 10:00, linked Aug 6, sent Aug 8           → all three within 7 days
 *   F2: registered Aug 7 09:00, linked Aug 20 09:00, sent Aug 21 08:00 → step 1 (7d), all three (14d)
 *   F3: registered Aug 11, sent Aug 12, never linked              → step 1 only
 *   F4: registered Aug 13 10:00, linked Aug 13 12:00, sent Aug 21 → steps 1-2 (7d), all three (14d)
 *   F5: registered Jul 20 (before the range), linked Aug 14, sent Aug 15 → not in the funnel
 *   F6: registered Aug 20, sent Aug 21, linked Aug 22, sent Aug 23 → all three (a send before the link does not count)
 *   7 days: 5, 3, 2.   14 days: 5, 4, 4.
 */
describe('analytics: admin queries on a hand-computed fixture', () => {
  let t: TestApp;
  const admin = newUserId();
  const [U1, U2, U3, U4, U5] = Array.from({ length: 5 }, () => newUserId()) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const [F1, F2, F3, F4, F5, F6] = Array.from({ length: 6 }, () => newUserId()) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];

  const row = (userId: string, event: string, at: string, platform: string | null = null): EventRow => ({
    id: uuidv4(),
    occurredAt: new Date(at.length === 10 ? `${at}T12:00:00Z` : at),
    receivedAt: new Date(),
    event,
    source: event === 'app.opened' ? 'client' : 'server',
    userId,
    coupleId: null,
    platform,
    appVersion: null,
    country: null,
    properties: '{}',
  });

  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    const opened = (user: string, days: string[], platform: string | null = null) =>
      days.map((d) => row(user, 'app.opened', `2026-10-${d}`, platform));
    const rows = [
      ...opened(U1, ['05', '13', '27'], 'ios'),
      ...opened(U2, ['07', '14'], 'android'),
      ...opened(U3, ['11']),
      ...opened(U4, ['13', '20', '21', '27']),
      ...opened(U5, ['14']),
      row(F1, 'user.registered', '2026-08-05T10:00:00Z'),
      row(F1, 'couple.linked', '2026-08-06T10:00:00Z'),
      row(F1, 'love-note.sent', '2026-08-08T10:00:00Z'),
      row(F2, 'user.registered', '2026-08-07T09:00:00Z'),
      row(F2, 'couple.linked', '2026-08-20T09:00:00Z'),
      row(F2, 'love-note.sent', '2026-08-21T08:00:00Z'),
      row(F3, 'user.registered', '2026-08-11T10:00:00Z'),
      row(F3, 'love-note.sent', '2026-08-12T10:00:00Z'),
      row(F4, 'user.registered', '2026-08-13T10:00:00Z'),
      row(F4, 'couple.linked', '2026-08-13T12:00:00Z'),
      row(F4, 'love-note.sent', '2026-08-21T10:00:00Z'),
      row(F5, 'user.registered', '2026-07-20T10:00:00Z'),
      row(F5, 'couple.linked', '2026-08-14T10:00:00Z'),
      row(F5, 'love-note.sent', '2026-08-15T10:00:00Z'),
      row(F6, 'user.registered', '2026-08-20T10:00:00Z'),
      row(F6, 'love-note.sent', '2026-08-21T10:00:00Z'),
      row(F6, 'couple.linked', '2026-08-22T10:00:00Z'),
      row(F6, 'love-note.sent', '2026-08-23T10:00:00Z'),
    ];
    await insertEvents(t.platform.database.db, rows);
    await refreshRollups(t.platform, {
      from: new Date('2026-07-01T00:00:00Z'),
      to: new Date('2026-11-30T00:00:00Z'),
    });
  });
  after(() => t.close());

  const get = async (url: string, role: 'admin' | 'user' = 'admin') => {
    const res = await t.app.inject({ method: 'GET', url, headers: as(admin, role) });
    return res;
  };
  const data = async (url: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data;
  };

  it('keeps the queries to admins', async () => {
    assert.equal((await get('/v1/admin/analytics/active-users', 'user')).statusCode, 403);
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/admin/analytics/active-users' });
    assert.equal(anonymous.statusCode, 401);
  });

  it('counts daily, weekly and monthly active users', async () => {
    const day = await data('/v1/admin/analytics/active-users?interval=day&from=2026-10-01&to=2026-10-31');
    assert.deepEqual(day.points, [
      { period: '2026-10-05', users: 1 },
      { period: '2026-10-07', users: 1 },
      { period: '2026-10-11', users: 1 },
      { period: '2026-10-13', users: 2 },
      { period: '2026-10-14', users: 2 },
      { period: '2026-10-20', users: 1 },
      { period: '2026-10-21', users: 1 },
      { period: '2026-10-27', users: 2 },
    ]);
    const week = await data('/v1/admin/analytics/active-users?interval=week&from=2026-10-05&to=2026-11-01');
    assert.deepEqual(week.points, [
      { period: '2026-10-05', users: 3 },
      { period: '2026-10-12', users: 4 },
      { period: '2026-10-19', users: 1 },
      { period: '2026-10-26', users: 2 },
    ]);
    // A `from` inside a week counts the whole week.
    const snapped = await data(
      '/v1/admin/analytics/active-users?interval=week&from=2026-10-08&to=2026-10-11',
    );
    assert.deepEqual(snapped.points, [{ period: '2026-10-05', users: 3 }]);
    const month = await data('/v1/admin/analytics/active-users?interval=month&from=2026-10-01&to=2026-10-31');
    assert.deepEqual(month.points, [{ period: '2026-10-01', users: 5 }]);
  });

  it('computes weekly retention cohorts', async () => {
    const res = await data(
      '/v1/admin/analytics/retention?cohort=week&from=2026-10-05&to=2026-10-18&periods=3',
    );
    assert.deepEqual(res.cohorts, [
      { cohort: '2026-10-05', size: 3, retained: [3, 2, 0, 1], rates: [1, 2 / 3, 0, 1 / 3] },
      { cohort: '2026-10-12', size: 2, retained: [2, 1, 1, 0], rates: [1, 0.5, 0.5, 0] },
    ]);
  });

  it('computes an ordered funnel within a window', async () => {
    const steps = 'user.registered,couple.linked,love-note.sent';
    const week = await data(`/v1/admin/analytics/funnel?steps=${steps}&from=2026-08-01&to=2026-08-31`);
    assert.equal(week.window, '7d');
    assert.deepEqual(
      week.steps.map((s: { users: number }) => s.users),
      [5, 3, 2],
    );
    assert.equal(week.steps[2].conversion, 2 / 5);
    assert.equal(week.steps[1].fromPrevious, 3 / 5);
    const fortnight = await data(
      `/v1/admin/analytics/funnel?steps=${steps}&from=2026-08-01&to=2026-08-31&window=14d`,
    );
    assert.deepEqual(
      fortnight.steps.map((s: { users: number }) => s.users),
      [5, 4, 4],
    );
    // Minutes and hours too (a window in minutes once answered 500: make_interval has no `minutes`).
    for (const window of ['90m', '48h']) {
      const res = await data(
        `/v1/admin/analytics/funnel?steps=${steps}&from=2026-08-01&to=2026-08-31&window=${window}`,
      );
      assert.equal(res.window, window);
      assert.equal(res.steps[0].users, 5);
    }
  });

  it('gives event time series, grouped by a dimension', async () => {
    const res = await data(
      '/v1/admin/analytics/events?event=app.opened&groupBy=platform&interval=week&from=2026-10-05&to=2026-10-11',
    );
    assert.deepEqual(res.series, [
      { key: null, points: [{ period: '2026-10-05', events: 1 }] },
      { key: 'android', points: [{ period: '2026-10-05', events: 1 }] },
      { key: 'ios', points: [{ period: '2026-10-05', events: 1 }] },
    ]);
    const all = await data(
      '/v1/admin/analytics/events?interval=month&from=2026-08-01&to=2026-08-31&groupBy=event',
    );
    assert.deepEqual(
      all.series.map((s: { key: string; points: Array<{ events: number }> }) => [s.key, s.points[0]?.events]),
      [
        ['couple.linked', 5],
        ['love-note.sent', 7],
        ['user.registered', 5],
      ],
    );
  });

  it('refuses bad query parameters with 400', async () => {
    for (const url of [
      '/v1/admin/analytics/active-users?interval=year',
      '/v1/admin/analytics/active-users?from=2026-13-01',
      '/v1/admin/analytics/active-users?from=2026-10-10&to=2026-10-01',
      '/v1/admin/analytics/active-users?from=2020-01-01&to=2026-10-01',
      '/v1/admin/analytics/active-users?unknown=1',
      '/v1/admin/analytics/funnel?steps=only.one',
      '/v1/admin/analytics/funnel?steps=a,b,c,d,e,f',
      '/v1/admin/analytics/funnel?steps=a,b&window=7w',
      '/v1/admin/analytics/funnel?steps=a,b&from=2026-01-01&to=2026-10-01',
      '/v1/admin/analytics/retention?periods=0',
      '/v1/admin/analytics/events?groupBy=ip',
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
    }
  });
});
