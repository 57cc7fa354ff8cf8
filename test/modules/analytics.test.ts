import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

describe('analytics: ingestion', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ ANALYTICS_FLUSH_MS: '20' }, { routes: testAuth });
  });
  after(() => t.close());

  const post = (userId: string, url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...as(userId), 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const single = (userId: string, payload: unknown, headers?: Record<string, string>) =>
    post(userId, '/v1/analytics/events', payload, headers);
  const batch = (userId: string, events: unknown[], headers?: Record<string, string>) =>
    post(userId, '/v1/analytics/batch', { events }, headers);
  const consent = async (userId: string, granted = true) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/users/me/consents',
      headers: as(userId),
      payload: { type: 'analytics', version: '1', granted },
    });
    assert.equal(res.statusCode, 201, res.body);
  };
  const stored = async (ids: string[]) =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from analytics_events where id = any(${ids}::uuid[])`.execute(
        t.platform.database.db,
      )
    ).rows[0]?.n;
  const event = (name = 'screen.viewed', extra: Record<string, unknown> = {}) => ({
    id: uuidv4(),
    event: name,
    ...extra,
  });

  it('refuses a caller without a token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/analytics/events', payload: event() });
    assert.equal(res.statusCode, 401);
  });

  it('drops the events of a user without analytics consent, and stores them once consent is given', async () => {
    const user = newUserId();
    const first = event();
    const res = await single(user, first);
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json().data, { accepted: 0, duplicates: 0, dropped: 1, consented: false });
    assert.equal(await stored([first.id]), 0);
    await consent(user);
    const second = event('screen.viewed', {
      properties: { screen: 'inbox', count: 3, dark: true, none: null },
    });
    const ok = await single(user, second);
    assert.equal(ok.statusCode, 202, ok.body);
    assert.deepEqual(ok.json().data, { accepted: 1, duplicates: 0, dropped: 0, consented: true });
    // Committed before the answer: visible at once.
    assert.equal(await stored([second.id]), 1);
    // Withdrawn: dropped again.
    await consent(user, false);
    const third = event();
    assert.equal((await single(user, third)).json().data.consented, false);
    assert.equal(await stored([third.id]), 0);
  });

  it('enriches with user, couple, platform, version and a coarse country, never the address', async () => {
    const { a, coupleId } = await makeCouple(t);
    await consent(a);
    const e = event('app.opened', { timestamp: new Date(Date.now() - 60_000).toISOString() });
    const res = await single(a, e, {
      'x-app-platform': 'iOS',
      'x-app-version': '2.4.1',
      'cf-ipcountry': 'fr',
      'x-forwarded-for': '203.0.113.9',
    });
    assert.equal(res.statusCode, 202, res.body);
    const row = await t.platform.database.db
      .selectFrom('analytics_events' as never)
      .selectAll()
      .where('id' as never, '=', e.id as never)
      .executeTakeFirstOrThrow();
    const r = row as Record<string, unknown>;
    assert.equal(r.user_id, a);
    assert.equal(r.couple_id, coupleId);
    assert.equal(r.platform, 'ios');
    assert.equal(r.app_version, '2.4.1');
    assert.equal(r.country, 'FR');
    assert.equal(r.source, 'client');
    assert.equal((r.occurred_at as Date).toISOString(), (e as { timestamp?: string }).timestamp);
    assert.ok(!JSON.stringify(r).includes('203.0.113.9'));
    // Unknown country codes are not stored.
    const unknown = event();
    await single(a, unknown, { 'cf-ipcountry': 'XX', 'x-app-platform': 'toaster' });
    const other = (
      await sql<{ country: string | null; platform: string | null }>`
      select country, platform from analytics_events where id = ${unknown.id}`.execute(t.platform.database.db)
    ).rows[0];
    assert.deepEqual(other, { country: null, platform: 'other' });
  });

  it('stores a retried id once, within a batch, across requests and concurrently', async () => {
    const user = newUserId();
    await consent(user);
    const e = event();
    assert.deepEqual((await single(user, e)).json().data, {
      accepted: 1,
      duplicates: 0,
      dropped: 0,
      consented: true,
    });
    assert.deepEqual((await single(user, e)).json().data.duplicates, 1);
    const twice = event();
    const res = await batch(user, [twice, twice, e]);
    assert.deepEqual(res.json().data, { accepted: 1, duplicates: 2, dropped: 0, consented: true });
    const racing = event();
    const answers = await Promise.all(Array.from({ length: 5 }, () => single(user, racing)));
    assert.equal(
      answers.reduce((sum, a) => sum + a.json().data.accepted, 0),
      1,
    );
    assert.equal(await stored([e.id, twice.id, racing.id]), 3);
  });

  it('group-commits concurrent requests: every 202 is already stored', async () => {
    const users = Array.from({ length: 8 }, () => newUserId());
    for (const u of users) await consent(u);
    const sent = users.map((u) => ({ u, events: Array.from({ length: 50 }, () => event('tap')) }));
    const answers = await Promise.all(sent.map(({ u, events }) => batch(u, events)));
    for (const [i, a] of answers.entries()) {
      assert.equal(a.statusCode, 202, a.body);
      assert.equal(a.json().data.accepted, 50);
      assert.equal(await stored(sent[i]!.events.map((e) => e.id)), 50);
    }
  });

  it('answers 503 when the batch cannot be written, stores nothing, and a retry is stored once', async () => {
    const user = newUserId();
    await consent(user);
    const events = [event(), event()];
    const db = t.platform.database.db;
    await sql`alter table analytics_event_ids rename to analytics_event_ids_away`.execute(db);
    let res: Awaited<ReturnType<typeof batch>>;
    try {
      res = await batch(user, events);
    } finally {
      await sql`alter table analytics_event_ids_away rename to analytics_event_ids`.execute(db);
    }
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.equal(await stored(events.map((e) => e.id)), 0);
    const retry = await batch(user, events);
    assert.equal(retry.json().data.accepted, 2);
    assert.equal(await stored(events.map((e) => e.id)), 2);
  });

  it('drops events stamped too long ago or in the future, and keeps the rest', async () => {
    const user = newUserId();
    await consent(user);
    const old = event('x', { timestamp: new Date(Date.now() - 73 * 3_600_000).toISOString() });
    const future = event('x', { timestamp: new Date(Date.now() + 3_600_000).toISOString() });
    const fine = event('x', { timestamp: new Date(Date.now() - 71 * 3_600_000).toISOString() });
    const res = await batch(user, [old, future, fine]);
    assert.deepEqual(res.json().data, { accepted: 1, duplicates: 0, dropped: 2, consented: true });
  });

  it('refuses invalid events with a 400 naming the field, storing nothing', async () => {
    const user = newUserId();
    await consent(user);
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, i]));
    const cases: Array<[string, unknown]> = [
      ['missing id', { event: 'x' }],
      ['id not a uuid', { id: 'abc', event: 'x' }],
      ['empty name', event('')],
      ['name over 120', event('n'.repeat(121))],
      ['control character', event('bad\u0001name')],
      ['unknown field', { ...event(), userId: newUserId() }],
      ['number as name', { id: uuidv4(), event: 12 }],
      ['31 properties', event('x', { properties: props(31) })],
      ['nested property', event('x', { properties: { a: { b: 1 } } })],
      ['array property', event('x', { properties: { a: [1] } })],
      ['bad property name', event('x', { properties: { 'a b': 1 } })],
      ['long property value', event('x', { properties: { a: 'v'.repeat(1001) } })],
      [
        'properties over 8 KB',
        event('x', {
          properties: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(900)])),
        }),
      ],
      ['reserved name', event('love-note.sent')],
      ['bad timestamp', event('x', { timestamp: 'yesterday' })],
    ];
    for (const [why, body] of cases) {
      const res = await single(user, body);
      assert.equal(res.statusCode, 400, `${why}: ${res.body}`);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR', why);
    }
    const reserved = await batch(user, [event(), event('user.registered')]);
    assert.equal(reserved.statusCode, 400);
    assert.equal(reserved.json().errors[0].field, 'events/1/event');
    assert.equal((await batch(user, [])).statusCode, 400);
    const many = Array.from({ length: 1001 }, () => event());
    assert.equal((await batch(user, many)).statusCode, 400);
    assert.equal((await post(user, '/v1/analytics/batch', { events: [event()], extra: 1 })).statusCode, 400);
    const count = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from analytics_events where user_id = ${user}`.execute(
        t.platform.database.db,
      )
    ).rows[0]?.n;
    assert.equal(count, 0);
  });

  it('takes 1,000 events in a batch and refuses a body over 1 MB with 413', async () => {
    const user = newUserId();
    await consent(user);
    const full = Array.from({ length: 1000 }, () => event('bulk'));
    const res = await batch(user, full);
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().data.accepted, 1000);
    const big = Array.from({ length: 200 }, () =>
      event('big', {
        properties: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'v'.repeat(900)])),
      }),
    );
    const tooLarge = await batch(user, big);
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(tooLarge.json().errors[0].code, 'PAYLOAD_TOO_LARGE');
  });

  it('ids from UUIDv7 clients and upper-case ids are the same id', async () => {
    const user = newUserId();
    await consent(user);
    const id = uuidv7();
    await single(user, { id, event: 'x' });
    const again = await single(user, { id: id.toUpperCase(), event: 'x' });
    assert.equal(again.json().data.duplicates, 1);
  });
});

describe('analytics: group commit limits', () => {
  const consent = (t: TestApp, userId: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/users/me/consents',
      headers: as(userId),
      payload: { type: 'analytics', version: '1', granted: true },
    });
  const batchOf = (t: TestApp, userId: string, n: number) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/analytics/batch',
      headers: as(userId),
      payload: { events: Array.from({ length: n }, () => ({ id: uuidv4(), event: 'tap' })) },
    });

  it('writes a batch as soon as it holds ANALYTICS_FLUSH_ROWS rows, without waiting for the timer', async () => {
    const t = await createTestApp(
      { ANALYTICS_FLUSH_MS: '10000', ANALYTICS_FLUSH_ROWS: '3' },
      { routes: testAuth },
    );
    try {
      const user = newUserId();
      await consent(t, user);
      // One row waits (the timer is 10 s away) until two more fill the batch.
      const started = Date.now();
      const [one, two] = await Promise.all([batchOf(t, user, 1), batchOf(t, user, 2)]);
      assert.equal(one.json().data.accepted, 1);
      assert.equal(two.json().data.accepted, 2);
      assert.ok(Date.now() - started < 9000, 'written when full, not when the timer fired');
    } finally {
      await t.close();
    }
  });

  it('answers 503 above ANALYTICS_MAX_PENDING_ROWS, and writes what it accepted when the app closes', async () => {
    const t = await createTestApp(
      { ANALYTICS_FLUSH_MS: '10000', ANALYTICS_FLUSH_ROWS: '100000', ANALYTICS_MAX_PENDING_ROWS: '1000' },
      { routes: testAuth },
    );
    let waiting: ReturnType<typeof batchOf> | undefined;
    try {
      const user = newUserId();
      await consent(t, user);
      waiting = batchOf(t, user, 600);
      // Let the first request reach the buffer before the second.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await batchOf(t, user, 600);
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.headers['retry-after'], '1');
    } finally {
      await t.close();
    }
    // Closing drained the open batch: the waiting request got its 202.
    const answered = await waiting;
    assert.equal(answered?.statusCode, 202);
    assert.equal(answered?.json().data.accepted, 600);
  });
});
