import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { deliverDue } from '../../src/modules/love-notes/delivery.ts';
import { defaultDeps } from '../../src/modules/love-notes/dependencies.ts';
import { createLoveNotesModule, notesContext } from '../../src/modules/love-notes/index.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

describe('love notes (REST)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const send = (userId: string, payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/love-notes', payload, headers: { ...as(userId), ...headers } });
  const get = (userId: string, url: string) => t.app.inject({ method: 'GET', url, headers: as(userId) });
  const call = (userId: string, method: 'POST' | 'DELETE' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const events = async (type: string, noteId: string) =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from outbox_events where type = ${type} and data->>'noteId' = ${noteId}`.execute(
        t.platform.database.db,
      )
    ).rows[0]?.n;

  it('sends a note now: 201, in the partner inbox, body encrypted at rest, events in the outbox', async () => {
    const { a, b } = await makeCouple(t);
    const res = await send(a, { body: 'Je t’aime 💖 — 愛してる', mood: 'tender' });
    assert.equal(res.statusCode, 201);
    const note = res.json().data;
    assert.equal(note.senderId, a);
    assert.equal(note.recipientId, b);
    assert.equal(note.status, 'delivered');
    assert.equal(note.body, 'Je t’aime 💖 — 愛してる');
    const inbox = (await get(b, '/v1/love-notes?box=inbox')).json();
    assert.deepEqual(
      inbox.data.map((n: { id: string }) => n.id),
      [note.id],
    );
    const stored = await t.platform.database.db
      .selectFrom('love_notes_notes')
      .select('body')
      .where('id', '=', note.id)
      .executeTakeFirstOrThrow();
    assert.ok(!stored.body.includes('aime'));
    assert.match(stored.body, /^v1\./);
    // One event per note: love-note.sent was folded into love-note.delivered (analytics records it as sent).
    assert.equal(await events('love-note.sent', note.id), 0);
    assert.equal(await events('love-note.delivered', note.id), 1);
  });

  it('answers 409 to a sender without a partner and 401 without a caller', async () => {
    const res = await send(newUserId(), { body: 'hello?' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().errors[0].code, 'CONFLICT');
    assert.match(res.json().errors[0].message, /partner/);
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/love-notes' });
    assert.equal(anonymous.statusCode, 401);
  });

  it('creates one note for a retried Idempotency-Key', async () => {
    const { a, b } = await makeCouple(t);
    const first = await send(a, { body: 'once' }, { 'idempotency-key': 'k-1' });
    const retry = await send(a, { body: 'once' }, { 'idempotency-key': 'k-1' });
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.json().data.id, first.json().data.id);
    assert.equal((await get(b, '/v1/love-notes')).json().data.length, 1);
  });

  it('shows a note to its sender and recipient only', async () => {
    const { a, b } = await makeCouple(t);
    const other = await makeCouple(t);
    const id = (await send(a, { body: 'ours' })).json().data.id;
    assert.equal((await get(a, `/v1/love-notes/${id}`)).statusCode, 200);
    assert.equal((await get(b, `/v1/love-notes/${id}`)).statusCode, 200);
    for (const stranger of [other.a, newUserId()]) {
      assert.equal((await get(stranger, `/v1/love-notes/${id}`)).statusCode, 404);
      assert.equal((await call(stranger, 'POST', `/v1/love-notes/${id}/read`)).statusCode, 404);
      assert.equal((await get(stranger, '/v1/love-notes?box=inbox')).json().data.length, 0);
    }
  });

  it('refuses bad input with 400s', async () => {
    const { a } = await makeCouple(t);
    const cases: Array<[object, string]> = [
      [{ body: '' }, 'body'],
      [{ body: 'x'.repeat(5001) }, 'body'],
      [{ body: 'x', mood: 'a\u0000b' }, 'mood'],
      [{ body: 'x', extra: 1 }, ''],
      [{ body: 'x', scheduledAt: 'soon' }, 'scheduledAt'],
      [{ body: 'x', scheduledAt: '2099-01-01T00:00:00Z' }, 'scheduledAt'],
      [{ body: 'x', scheduledAt: '2020-01-01T00:00:00Z' }, 'scheduledAt'],
      [{ body: 'x', scheduledAt: '2026-12-01T08:00', timeZone: 'Mars/Olympus' }, 'timeZone'],
      // Offsets are no zones (no daylight saving); luxon alone would take them.
      [{ body: 'x', scheduledAt: '2026-12-01T08:00', timeZone: 'UTC+3' }, 'timeZone'],
      [{ body: 'x', scheduledAt: '2026-12-01T08:00', timeZone: '+01:00' }, 'timeZone'],
      [{ body: 'x', recurrence: 'FREQ=DAILY' }, 'scheduledAt'],
      [{ templateId: 'no-such-template' }, 'templateId'],
      [{}, 'body'],
    ];
    for (const [payload, field] of cases) {
      const res = await send(a, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      if (field)
        assert.ok(JSON.stringify(res.json().errors).includes(field), JSON.stringify(res.json().errors));
    }
    assert.equal((await send(a, { body: `${'x'.repeat(4999)}🎉` })).statusCode, 201);
    assert.equal((await get(a, '/v1/love-notes/not-a-uuid')).statusCode, 400);
    assert.equal((await get(a, '/v1/love-notes?cursor=garbage')).statusCode, 400);
    assert.equal((await get(a, '/v1/love-notes?box=trash')).statusCode, 400);
  });

  it('pages the inbox newest first with cursors and filters', async () => {
    const { a, b } = await makeCouple(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await send(a, { body: `note ${i}` })).json().data.id);
    const seen: string[] = [];
    let url = '/v1/love-notes?box=inbox&limit=2';
    for (;;) {
      const page = (await get(b, url)).json();
      seen.push(...page.data.map((n: { id: string }) => n.id));
      if (!page.meta.nextCursor) break;
      url = `/v1/love-notes?box=inbox&limit=2&cursor=${page.meta.nextCursor}`;
    }
    assert.deepEqual(seen, [...ids].reverse());
    assert.equal((await get(a, '/v1/love-notes?box=sent')).json().data.length, 5);
    assert.equal((await get(a, '/v1/love-notes?box=inbox')).json().data.length, 0);
    const future = new Date(Date.now() + 60_000).toISOString();
    assert.equal((await get(b, `/v1/love-notes?from=${future}`)).json().data.length, 0);
    assert.equal((await get(b, `/v1/love-notes?to=${future}&status=delivered`)).json().data.length, 5);
  });

  it('read receipts: the sender sees `read` only when the recipient allows it', async () => {
    const { a, b } = await makeCouple(t);
    const open = (await send(a, { body: 'receipt on' })).json().data.id;
    const read = (await call(b, 'POST', `/v1/love-notes/${open}/read`)).json().data;
    assert.equal(read.status, 'read');
    const seenBySender = (await get(a, `/v1/love-notes/${open}`)).json().data;
    assert.equal(seenBySender.status, 'read');
    assert.ok(seenBySender.readAt);
    assert.equal(await events('love-note.read', open), 1);

    assert.equal((await call(b, 'PUT', '/v1/love-notes/settings', { readReceipts: false })).statusCode, 200);
    assert.equal((await get(b, '/v1/love-notes/settings')).json().data.readReceipts, false);
    const quiet = (await send(a, { body: 'receipt off' })).json().data.id;
    assert.equal((await call(b, 'POST', `/v1/love-notes/${quiet}/read`)).json().data.status, 'read');
    const hidden = (await get(a, `/v1/love-notes/${quiet}`)).json().data;
    assert.equal(hidden.status, 'delivered');
    assert.equal(hidden.readAt, null);
    assert.equal(await events('love-note.read', quiet), 0, 'no read event without a receipt');
    const steps = (await get(a, `/v1/love-notes/${quiet}/deliveries`))
      .json()
      .data.map((s: { step: string }) => s.step);
    assert.deepEqual(steps, ['sent', 'delivered']);
    assert.equal((await get(a, '/v1/love-notes?box=sent&status=read')).json().data.length, 1);
    assert.equal((await call(a, 'POST', `/v1/love-notes/${quiet}/read`)).statusCode, 403);
  });

  it('reactions and favorites, with the favorite filter', async () => {
    const { a, b } = await makeCouple(t);
    const id = (await send(a, { body: 'react to me' })).json().data.id;
    const reacted = await call(b, 'POST', `/v1/love-notes/${id}/reactions`, { emoji: '😍' });
    assert.equal(reacted.statusCode, 200);
    await call(b, 'POST', `/v1/love-notes/${id}/reactions`, { emoji: '😍' });
    assert.deepEqual(
      (await get(a, `/v1/love-notes/${id}`)).json().data.reactions.map((r: { emoji: string }) => r.emoji),
      ['😍'],
    );
    assert.equal(await events('love-note.reacted', id), 1);
    const removed = await call(b, 'DELETE', `/v1/love-notes/${id}/reactions/${encodeURIComponent('😍')}`);
    assert.deepEqual(removed.json().data.reactions, []);
    assert.equal((await call(b, 'POST', `/v1/love-notes/${id}/reactions`, { emoji: 'a b' })).statusCode, 400);

    await send(a, { body: 'not a favorite' });
    assert.equal((await call(b, 'POST', `/v1/love-notes/${id}/favorite`)).json().data.favorite, true);
    const favorites = (await get(b, '/v1/love-notes?favorite=true')).json().data;
    assert.deepEqual(
      favorites.map((n: { id: string }) => n.id),
      [id],
    );
    assert.equal((await get(a, `/v1/love-notes/${id}`)).json().data.favorite, false);
    assert.equal((await call(b, 'DELETE', `/v1/love-notes/${id}/favorite`)).json().data.favorite, false);
  });

  it('DELETE: the recipient hides, the sender unsends an unread note but not a read one', async () => {
    const { a, b } = await makeCouple(t);
    const hide = (await send(a, { body: 'hide me' })).json().data.id;
    assert.equal((await call(b, 'DELETE', `/v1/love-notes/${hide}`)).statusCode, 200);
    assert.equal((await get(b, `/v1/love-notes/${hide}`)).statusCode, 404);
    assert.equal((await get(a, `/v1/love-notes/${hide}`)).statusCode, 200);

    const unsend = (await send(a, { body: 'oops' })).json().data.id;
    assert.equal((await call(a, 'DELETE', `/v1/love-notes/${unsend}`)).statusCode, 200);
    assert.equal((await get(b, `/v1/love-notes/${unsend}`)).statusCode, 404);
    assert.equal((await get(a, `/v1/love-notes/${unsend}`)).json().data.status, 'cancelled');

    const read = (await send(a, { body: 'read it' })).json().data.id;
    await call(b, 'POST', `/v1/love-notes/${read}/read`);
    const refused = await call(a, 'DELETE', `/v1/love-notes/${read}`);
    assert.equal(refused.statusCode, 409);
  });
});

describe('love notes (scheduling)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const send = (userId: string, payload: object) =>
    t.app.inject({ method: 'POST', url: '/v1/love-notes', payload, headers: as(userId) });
  const get = (userId: string, url: string) => t.app.inject({ method: 'GET', url, headers: as(userId) });
  const call = (userId: string, method: 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const ctx = () => notesContext(t.platform, defaultDeps);
  const makeDue = (id: string) =>
    sql`update love_notes_notes set scheduled_at = now() - interval '1 second' where id = ${id}`.execute(
      t.platform.database.db,
    );

  it('schedules a note (202), hides it from the recipient, edits it, and delivers it when due', async () => {
    const { a, b } = await makeCouple(t);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const res = await send(a, { body: 'later', scheduledAt: at });
    assert.equal(res.statusCode, 202);
    const note = res.json().data;
    assert.equal(note.status, 'scheduled');
    assert.equal((await get(b, `/v1/love-notes/${note.id}`)).statusCode, 404);
    // Nor may the recipient learn of it by trying to change it (the authorization matrix found a 403).
    assert.equal((await call(b, 'PATCH', `/v1/love-notes/${note.id}`, { body: 'peek' })).statusCode, 404);
    assert.equal((await call(b, 'POST', `/v1/love-notes/${note.id}/pause`)).statusCode, 404);
    assert.equal((await get(a, '/v1/love-notes?box=scheduled')).json().data.length, 1);

    const patched = await call(a, 'PATCH', `/v1/love-notes/${note.id}`, { body: 'later, edited' });
    assert.equal(patched.json().data.body, 'later, edited');
    assert.equal(
      (await call(a, 'PATCH', `/v1/love-notes/${note.id}`, { scheduledAt: '2020-01-01T00:00:00Z' }))
        .statusCode,
      400,
    );

    await makeDue(note.id);
    assert.ok((await deliverDue(ctx())) >= 1);
    const delivered = (await get(b, `/v1/love-notes/${note.id}`)).json().data;
    assert.equal(delivered.status, 'delivered');
    assert.equal(delivered.body, 'later, edited');
    // Once the recipient sees it, the answer says why they may not change it.
    assert.equal((await call(b, 'PATCH', `/v1/love-notes/${note.id}`, { body: 'mine now' })).statusCode, 403);
    const steps = (await get(a, `/v1/love-notes/${note.id}/deliveries`))
      .json()
      .data.map((s: { step: string }) => s.step);
    assert.deepEqual(steps, ['queued', 'sent', 'delivered']);
    assert.equal((await call(a, 'PATCH', `/v1/love-notes/${note.id}`, { body: 'too late' })).statusCode, 409);
  });

  it('reads a local time without timeZone in the sender profile zone, for one-off notes and series', async () => {
    const { a } = await makeCouple(t);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    // Dubai is UTC+04:00 all year (no DST), so 08:00 there is 04:00Z.
    // No profile yet: UTC.
    const plain = (await send(a, { body: 'utc', scheduledAt: `${tomorrow}T08:00` })).json().data;
    assert.equal(plain.timeZone, 'UTC');
    assert.equal(plain.scheduledAt, `${tomorrow}T08:00:00.000Z`);

    const profile = await call(a, 'PATCH', '/v1/users/me', { timeZone: 'Asia/Dubai' });
    assert.equal(profile.statusCode, 200, profile.body);
    const once = await send(a, { body: 'namaste', scheduledAt: `${tomorrow}T08:00` });
    assert.equal(once.statusCode, 202, once.body);
    assert.equal(once.json().data.timeZone, 'Asia/Dubai');
    assert.equal(once.json().data.scheduledAt, `${tomorrow}T04:00:00.000Z`);

    const series = await send(a, {
      body: 'every morning',
      scheduledAt: `${tomorrow}T08:00`,
      recurrence: 'FREQ=DAILY;COUNT=5',
    });
    assert.equal(series.statusCode, 202, series.body);
    assert.equal(series.json().data.timeZone, 'Asia/Dubai');
    assert.equal(series.json().data.scheduledAt, `${tomorrow}T04:00:00.000Z`);

    // An explicit zone still wins, and an edit keeps the note's zone even if the profile moves on.
    const explicit = await send(a, { body: 'x', scheduledAt: `${tomorrow}T08:00`, timeZone: 'UTC' });
    assert.equal(explicit.json().data.scheduledAt, `${tomorrow}T08:00:00.000Z`);
    await call(a, 'PATCH', '/v1/users/me', { timeZone: 'America/New_York' });
    const moved = await call(a, 'PATCH', `/v1/love-notes/${once.json().data.id}`, {
      scheduledAt: `${tomorrow}T09:00`,
    });
    assert.equal(moved.json().data.timeZone, 'Asia/Dubai');
    assert.equal(moved.json().data.scheduledAt, `${tomorrow}T05:00:00.000Z`);
  });

  it('cancels a scheduled note so it is never delivered', async () => {
    const { a, b } = await makeCouple(t);
    const id = (
      await send(a, { body: 'never mind', scheduledAt: new Date(Date.now() + 60_000).toISOString() })
    ).json().data.id;
    const job = async () =>
      (
        await sql<{
          run_at: Date;
        }>`select run_at from graphile_worker._private_jobs where key = ${`love-note:${id}`}`.execute(
          t.platform.database.db,
        )
      ).rows[0];
    assert.ok(await job(), 'a delivery job waits with the note');
    const later = new Date(Date.now() + 7_200_000);
    await call(a, 'PATCH', `/v1/love-notes/${id}`, { scheduledAt: later.toISOString() });
    assert.equal((await job())?.run_at.getTime(), Math.floor(later.getTime() / 1000) * 1000);
    assert.equal((await call(a, 'DELETE', `/v1/love-notes/${id}`)).statusCode, 200);
    assert.equal(await job(), undefined);
    await makeDue(id);
    await deliverDue(ctx());
    assert.equal((await get(b, `/v1/love-notes/${id}`)).statusCode, 404);
    assert.equal((await get(a, `/v1/love-notes/${id}`)).json().data.status, 'cancelled');
  });

  it('a daily series at 08:00 local delivers occurrences and stays at 08:00; pause and resume', async () => {
    const { a, b } = await makeCouple(t);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const res = await send(a, {
      body: 'good morning ☀️',
      scheduledAt: `${tomorrow}T08:00`,
      timeZone: 'America/New_York',
      recurrence: 'FREQ=DAILY;COUNT=3',
    });
    assert.equal(res.statusCode, 202);
    const series = res.json().data;
    assert.equal(series.timeZone, 'America/New_York');
    assert.equal(series.recurrence, 'FREQ=DAILY;COUNT=3');
    await makeDue(series.id);
    await deliverDue(ctx());
    const inbox = (await get(b, '/v1/love-notes?box=inbox')).json().data;
    assert.equal(inbox.length, 1);
    assert.equal(inbox[0].seriesId, series.id);
    assert.equal(inbox[0].body, 'good morning ☀️');
    const next = (await get(a, `/v1/love-notes/${series.id}`)).json().data;
    assert.equal(next.status, 'scheduled');
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(next.scheduledAt));
    assert.equal(local, '08:00');

    assert.equal((await call(a, 'POST', `/v1/love-notes/${series.id}/pause`)).json().data.paused, true);
    await makeDue(series.id);
    await deliverDue(ctx());
    assert.equal((await get(b, '/v1/love-notes?box=inbox')).json().data.length, 1);
    const resumed = (await call(a, 'POST', `/v1/love-notes/${series.id}/resume`)).json().data;
    assert.equal(resumed.paused, false);
    assert.ok(new Date(resumed.scheduledAt) > new Date());
    const one = (
      await send(a, { body: 'one-off', scheduledAt: new Date(Date.now() + 60_000).toISOString() })
    ).json().data;
    assert.equal((await call(a, 'POST', `/v1/love-notes/${one.id}/pause`)).statusCode, 409);
  });

  it('two sweeps at once deliver every due note exactly once', async () => {
    const { a, b } = await makeCouple(t);
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      ids.push(
        (await send(a, { body: `due ${i}`, scheduledAt: new Date(Date.now() + 60_000).toISOString() })).json()
          .data.id,
      );
    }
    await sql`update love_notes_notes set scheduled_at = now() - interval '1 second' where sender_id = ${a} and status = 'scheduled'`.execute(
      t.platform.database.db,
    );
    const counts = await Promise.all([deliverDue(ctx(), 7), deliverDue(ctx(), 7), deliverDue(ctx(), 100)]);
    const rest = await deliverDue(ctx());
    assert.equal(counts.reduce((x, y) => x + y, 0) + rest, 30);
    const delivered = await sql<{ type: string; n: number }>`
      select count(*)::int as n from outbox_events where type = 'love-note.delivered' and data->>'recipientId' = ${b}`.execute(
      t.platform.database.db,
    );
    assert.equal(delivered.rows[0]?.n, 30);
  });

  it('allows at most 100 pending scheduled notes per sender', async () => {
    const { a } = await makeCouple(t);
    await sql`insert into love_notes_notes (couple_id, id, sender_id, recipient_id, body, status, scheduled_at)
      select gen_random_uuid(), gen_random_uuid(), ${a}, gen_random_uuid(), 'x', 'scheduled', now() + interval '1 day'
      from generate_series(1, 100)`.execute(t.platform.database.db);
    const res = await send(a, {
      body: 'one too many',
      scheduledAt: new Date(Date.now() + 60_000).toISOString(),
    });
    assert.equal(res.statusCode, 409);
    assert.match(res.json().errors[0].message, /100/);
    assert.equal((await send(a, { body: 'sending now is fine' })).statusCode, 201);
  });
});

describe('love notes (templates)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());
  const call = (userId: string, method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });

  it('ships at least 50 templates in the 8 categories, filterable', async () => {
    const all = (await call(newUserId(), 'GET', '/v1/love-notes/templates')).json().data;
    assert.ok(all.length >= 50);
    const categories = new Set(all.map((x: { category: string }) => x.category));
    assert.deepEqual([...categories].sort(), [
      'anniversary',
      'apology',
      'encouragement',
      'goodnight',
      'gratitude',
      'missing-you',
      'morning',
      'playful',
    ]);
    const morning = (await call(newUserId(), 'GET', '/v1/love-notes/templates?category=morning')).json().data;
    assert.ok(morning.length >= 6 && morning.every((x: { category: string }) => x.category === 'morning'));
    assert.equal((await call(newUserId(), 'GET', '/v1/love-notes/templates?category=nope')).statusCode, 400);
  });

  it('fills variables at send time, and names an unknown one in a 400', async () => {
    const { a } = await makeCouple(t, { names: ['Alex', 'Sam'] });
    const sent = await call(a, 'POST', '/v1/love-notes', { templateId: 'morning-1' });
    assert.equal(sent.statusCode, 201);
    assert.equal(sent.json().data.body, 'Good morning, Sam! I hope your day is as lovely as you are.');
    assert.equal(sent.json().data.templateId, 'morning-1');
    // The couple's days come from the couples module; before anyone sets a start, the link day counts.
    const linkedDay = await call(a, 'POST', '/v1/love-notes', { templateId: 'anniversary-2' });
    assert.equal(linkedDay.statusCode, 201, linkedDay.body);
    assert.match(linkedDay.json().data.body, /^0 days together/);
    // A value the client passes does not override what the server knows.
    const ignored = await call(a, 'POST', '/v1/love-notes', {
      templateId: 'anniversary-2',
      variables: { daysTogether: '10' },
    });
    assert.match(ignored.json().data.body, /^0 days together/);
  });

  it('fills {{daysTogether}} and {{anniversary}} from the couple, in the sender zone and locale', async () => {
    const { a, b } = await makeCouple(t, { names: ['Alex', 'Sam'] });
    // Either partner sets the dates; the sender's profile says where and how they write.
    const dates = await call(b, 'PATCH', '/v1/couples/me', {
      relationshipStart: '2020-02-29',
      anniversary: '2021-06-12',
    });
    assert.equal(dates.statusCode, 200, dates.body);
    const profile = await call(a, 'PATCH', '/v1/users/me', {
      locale: 'en-GB',
      timeZone: 'Pacific/Kiritimati',
    });
    assert.equal(profile.statusCode, 200, profile.body);
    // Kiritimati is UTC+14: its calendar day is ahead of UTC's for 14 hours of every day.
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Pacific/Kiritimati' });
    const expected = Math.round(
      (Date.parse(`${today}T00:00:00Z`) - Date.parse('2020-02-29T00:00:00Z')) / 86_400_000,
    );
    const days = await call(a, 'POST', '/v1/love-notes', { templateId: 'anniversary-2' });
    assert.equal(days.statusCode, 201, days.body);
    assert.equal(days.json().data.body, `${expected} days together. Here’s to thousands more.`);
    const since = await call(a, 'POST', '/v1/love-notes', { templateId: 'anniversary-3' });
    assert.equal(since.json().data.body, 'Since 12 June 2021, I keep choosing you, every day.');

    // A scheduled note counts to the day it goes, in its own zone.
    const day = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const scheduled = await call(a, 'POST', '/v1/love-notes', {
      templateId: 'anniversary-2',
      scheduledAt: `${day}T09:00`,
      timeZone: 'Europe/Paris',
    });
    assert.equal(scheduled.statusCode, 202, scheduled.body);
    const then = Math.round(
      (Date.parse(`${day}T00:00:00Z`) - Date.parse('2020-02-29T00:00:00Z')) / 86_400_000,
    );
    assert.equal(then, expected + 60 - (today > new Date().toISOString().slice(0, 10) ? 1 : 0));
    assert.match(scheduled.json().data.body, new RegExp(`^${then} days together`));

    // Without an anniversary the relationship start is the day celebrated.
    await call(a, 'PATCH', '/v1/couples/me', { anniversary: null });
    const fallback = await call(a, 'POST', '/v1/love-notes', { templateId: 'anniversary-3' });
    assert.equal(fallback.json().data.body, 'Since 29 February 2020, I keep choosing you, every day.');
  });

  it('keeps personal templates private and names an unknown variable in a 400', async () => {
    const { a, b } = await makeCouple(t, { names: ['Alex', 'Sam'] });
    const mine = await call(a, 'POST', '/v1/love-notes/templates', {
      category: 'playful',
      title: 'Pizza',
      body: 'Hey {{partnerName}}, {{dish}} tonight? {{oops}}',
    });
    assert.equal(mine.statusCode, 201);
    const template = mine.json().data;
    assert.deepEqual(template.variables, ['partnerName', 'dish', 'oops']);
    const unknown = await call(a, 'POST', '/v1/love-notes', {
      templateId: template.id,
      variables: { dish: 'pizza' },
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().errors[0].message, /\{\{oops\}\}/);
    const filled = await call(a, 'POST', '/v1/love-notes', {
      templateId: template.id,
      variables: { dish: 'pizza', oops: '🍕', partnerName: 'ignored' },
    });
    assert.equal(filled.json().data.body, 'Hey Sam, pizza tonight? 🍕');
    // Someone else's personal template is not theirs to use or edit.
    assert.equal((await call(b, 'POST', '/v1/love-notes', { templateId: template.id })).statusCode, 400);
    assert.equal(
      (await call(b, 'PATCH', `/v1/love-notes/templates/${template.id}`, { title: 'x' })).statusCode,
      404,
    );

    const edited = await call(a, 'PATCH', `/v1/love-notes/templates/${template.id}`, {
      body: 'Just {{dish}}',
    });
    assert.deepEqual(edited.json().data.variables, ['dish']);
    const listed = (await call(a, 'GET', '/v1/love-notes/templates?category=playful')).json().data;
    assert.ok(listed.some((x: { id: string; personal: boolean }) => x.id === template.id && x.personal));
    assert.equal((await call(a, 'DELETE', `/v1/love-notes/templates/${template.id}`)).statusCode, 200);
    assert.equal((await call(a, 'DELETE', `/v1/love-notes/templates/${template.id}`)).statusCode, 404);
  });
});

describe('love notes (couple purged)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  it('deletes the notes of a couple whose read-only period ended', async () => {
    const { a, coupleId } = await makeCouple(t);
    const other = await makeCouple(t);
    for (const sender of [a, other.a]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/love-notes',
        payload: { body: 'x' },
        headers: as(sender),
      });
      assert.equal(res.statusCode, 201);
    }
    const stopModule = await createLoveNotesModule().worker!(t.platform);
    const stopBus = await t.platform.bus.start();
    try {
      await publish(t.platform.database.db, 'couple.purged', { coupleId });
      const left = async (id: string) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from love_notes_notes where couple_id = ${id}`.execute(
            t.platform.database.db,
          )
        ).rows[0]?.n;
      // A minute: what is checked is that the purge happens, not how fast (15 s ran out once on a
      // machine at load 15, where it otherwise takes 2–4 s).
      const deadline = Date.now() + 60_000;
      while ((await left(coupleId)) !== 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(await left(coupleId), 0);
      assert.equal(await left(other.coupleId), 1);
    } finally {
      await stopBus();
      await stopModule();
    }
  });
});
