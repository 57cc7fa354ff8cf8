import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { purgeClosedCouples } from '../../src/modules/couples/index.ts';
import { deliverDue, deliverNote } from '../../src/modules/love-notes/delivery.ts';
import { defaultDeps } from '../../src/modules/love-notes/dependencies.ts';
import { createLoveNotesModule, notesContext } from '../../src/modules/love-notes/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Unlinking, for love notes: nothing either partner scheduled reaches the
 * other afterwards; the history stays readable (not writable) for the
 * read-only period, is exported, then purged; a new couple starts empty and
 * the same two people linking again get their history back.
 */
describe('love notes after an unlink', () => {
  let t: TestApp;
  let stopWorker: (() => Promise<void>) | undefined;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(async () => {
    await stopWorker?.();
    await t.close();
  });

  const db = () => t.platform.database.db;
  const call = (userId: string, method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const send = async (userId: string, payload: object) => {
    const res = await call(userId, 'POST', '/v1/love-notes', payload);
    assert.ok(res.statusCode === 201 || res.statusCode === 202, res.body);
    return res.json().data.id as string;
  };
  const ids = async (userId: string, query: string) => {
    const res = await call(userId, 'GET', `/v1/love-notes?${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data.map((n: { id: string }) => n.id) as string[];
  };
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
  const statusOf = async (id: string) =>
    (await db().selectFrom('love_notes_notes').select('status').where('id', '=', id).executeTakeFirst())
      ?.status;
  const jobsFor = async (noteIds: string[]) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs
        where key = any(${noteIds.map((id) => `love-note:${id}`)}::text[])`.execute(db())
    ).rows[0]?.n;
  const deliveredEvents = async (coupleId: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from outbox_events
        where type in ('love-note.sent', 'love-note.delivered') and couple_id = ${coupleId}`.execute(db())
    ).rows[0]?.n;
  /** The love-notes worker (its bus consumers), from the first test that needs it to the end. */
  async function startWorker() {
    if (stopWorker) return;
    const stopModule = await createLoveNotesModule().worker!(t.platform);
    const stopBus = await t.platform.bus.start();
    stopWorker = async () => {
      await stopBus();
      await stopModule();
    };
  }
  it('delivers nothing for a closed couple even when delivery runs before the consumer', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const once = await send(a, { body: 'due right after the unlink', scheduledAt: inAnHour() });
    const series = await send(a, {
      body: 'every day',
      scheduledAt: inAnHour(),
      recurrence: 'FREQ=DAILY;COUNT=5',
    });
    // No worker runs yet (this test is first), so nothing consumes couple.unlinked: both are still scheduled when due.
    assert.equal((await call(b, 'DELETE', '/v1/couples/me')).statusCode, 200);
    await sql`update love_notes_notes set scheduled_at = now() - interval '1 second'
      where id in (${once}, ${series})`.execute(db());
    const ctx = notesContext(t.platform, defaultDeps);
    assert.equal(await deliverNote(ctx, coupleId, once), false, 'the delivery job');
    await deliverDue(ctx);
    assert.equal(await deliverNote(ctx, coupleId, series), false);
    assert.equal(await statusOf(once), 'cancelled');
    assert.equal(await statusOf(series), 'cancelled');
    const occurrences = await db()
      .selectFrom('love_notes_notes')
      .select('id')
      .where('series_id', '=', series)
      .execute();
    assert.deepEqual(occurrences, []);
    assert.equal(await deliveredEvents(coupleId), 0);
    assert.deepEqual(await ids(b, 'box=inbox'), []);
    assert.equal((await call(b, 'GET', `/v1/love-notes/${once}`)).statusCode, 404);
  });

  it('cancels every scheduled note and series of the couple on couple.unlinked, jobs included', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const other = await makeCouple(t);
    const once = await send(a, { body: 'see you tonight', scheduledAt: inAnHour() });
    const series = await send(b, {
      body: 'good morning',
      scheduledAt: inAnHour(),
      recurrence: 'FREQ=DAILY;COUNT=5',
    });
    const untouched = await send(other.a, { body: 'not ours', scheduledAt: inAnHour() });
    assert.equal(await jobsFor([once, series]), 2);
    assert.equal((await call(b, 'DELETE', '/v1/couples/me')).statusCode, 200);
    await startWorker();
    await eventually(async () =>
      (await statusOf(once)) === 'cancelled' && (await statusOf(series)) === 'cancelled' ? true : undefined,
    );
    assert.equal(await jobsFor([once, series]), 0);
    assert.equal(await statusOf(untouched), 'scheduled');
    // The senders see what became of them, and nothing is waiting any more.
    assert.equal((await call(a, 'GET', `/v1/love-notes/${once}`)).json().data.status, 'cancelled');
    assert.equal((await call(b, 'GET', `/v1/love-notes/${series}`)).json().data.status, 'cancelled');
    assert.deepEqual(await ids(a, 'box=scheduled'), []);
    assert.deepEqual(await ids(b, 'box=scheduled'), []);
    assert.equal(await deliveredEvents(coupleId), 0);
  });

  it('keeps the history readable by both, but not writable, during the read-only period; exported', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const fromA = await send(a, { body: 'from a, before' });
    const fromB = await send(b, { body: 'from b, before' });
    assert.equal(
      (await call(b, 'POST', `/v1/love-notes/${fromA}/reactions`, { emoji: '😍' })).statusCode,
      200,
    );
    assert.equal((await call(a, 'DELETE', '/v1/couples/me')).statusCode, 200);

    for (const [user, inbox, sent] of [
      [a, fromB, fromA],
      [b, fromA, fromB],
    ] as const) {
      assert.deepEqual(await ids(user, 'box=inbox'), [inbox]);
      assert.deepEqual(await ids(user, 'box=sent'), [sent]);
      assert.deepEqual(await ids(user, `box=inbox&coupleId=${coupleId}`), [inbox]);
      for (const id of [inbox, sent]) {
        const one = await call(user, 'GET', `/v1/love-notes/${id}`);
        assert.equal(one.statusCode, 200, one.body);
        assert.equal((await call(user, 'GET', `/v1/love-notes/${id}/deliveries`)).statusCode, 200);
      }
      // Read-only: no send, reaction, read, favourite, edit, unsend or hide.
      const refused: Array<[string, 'POST' | 'DELETE' | 'PATCH', string, object?]> = [
        ['send', 'POST', '/v1/love-notes', { body: 'after' }],
        ['react', 'POST', `/v1/love-notes/${inbox}/reactions`, { emoji: '😢' }],
        ['unreact', 'DELETE', `/v1/love-notes/${fromA}/reactions/${encodeURIComponent('😍')}`],
        ['read', 'POST', `/v1/love-notes/${inbox}/read`],
        ['favorite', 'POST', `/v1/love-notes/${inbox}/favorite`],
        ['edit', 'PATCH', `/v1/love-notes/${sent}`, { body: 'changed' }],
        ['unsend', 'DELETE', `/v1/love-notes/${sent}`],
        ['hide', 'DELETE', `/v1/love-notes/${inbox}`],
        ['pause', 'POST', `/v1/love-notes/${sent}/pause`],
      ];
      for (const [what, method, url, payload] of refused) {
        const res = await call(user, method, url, payload);
        assert.equal(res.statusCode, 409, `${what}: ${res.body}`);
      }
    }
    const note = (await call(b, 'GET', `/v1/love-notes/${fromA}`)).json().data;
    assert.equal(note.status, 'delivered');
    assert.equal(note.body, 'from a, before');
    assert.equal(note.reactions.length, 1);

    // Nobody else: a stranger gets 404 for the notes and the couple.
    const stranger = newUserId();
    assert.equal((await call(stranger, 'GET', `/v1/love-notes/${fromA}`)).statusCode, 404);
    assert.equal(
      (await call(stranger, 'POST', `/v1/love-notes/${fromA}/reactions`, { emoji: '😍' })).statusCode,
      404,
    );
    assert.equal((await call(stranger, 'GET', `/v1/love-notes?coupleId=${coupleId}`)).statusCode, 404);

    // The export of either former partner carries the closed couple's notes.
    const started = await call(b, 'POST', '/v1/users/me/export');
    assert.equal(started.statusCode, 202, started.body);
    const job = await eventually(async () => {
      const res = await call(b, 'GET', `/v1/users/me/export/${started.json().data.id}`);
      return res.json().data.status === 'ready' ? res.json().data : undefined;
    });
    const download = await t.app.inject({ url: job.downloadUrl });
    const exported = JSON.parse(
      strFromU8(unzipSync(new Uint8Array(download.rawPayload))['love-notes.json']!),
    );
    assert.deepEqual(
      exported.notes.map((n: { id: string; body: string }) => [n.id, n.body]).sort(),
      [
        [fromA, 'from a, before'],
        [fromB, 'from b, before'],
      ].sort(),
    );
  });

  it('restores the history when the same two link again; a couple with someone else starts empty', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const first = await send(a, { body: 'first time round' });
    assert.equal((await call(b, 'DELETE', '/v1/couples/me')).statusCode, 200);

    const again = await makeCouple(t, { ids: [b, a] });
    assert.equal(again.coupleId, coupleId, 'the same couple, reopened');
    assert.deepEqual(await ids(b, 'box=inbox'), [first]);
    assert.equal(
      (await call(b, 'POST', `/v1/love-notes/${first}/reactions`, { emoji: '😍' })).statusCode,
      200,
    );
    const second = await send(b, { body: 'second time round' });
    assert.deepEqual(await ids(a, 'box=inbox'), [second]);

    // Apart again, and a with someone new: the new couple starts empty.
    assert.equal((await call(a, 'DELETE', '/v1/couples/me')).statusCode, 200);
    const c = newUserId();
    const fresh = await makeCouple(t, { ids: [a, c] });
    assert.notEqual(fresh.coupleId, coupleId);
    for (const box of ['inbox', 'sent']) {
      assert.deepEqual(await ids(a, `box=${box}`), []);
      assert.deepEqual(await ids(c, `box=${box}`), []);
    }
    // a still reads the closed couple's notes by its id; c cannot.
    assert.deepEqual(await ids(a, `box=sent&coupleId=${coupleId}`), [first]);
    assert.equal((await call(a, 'GET', `/v1/love-notes/${second}`)).statusCode, 200);
    assert.equal((await call(c, 'GET', `/v1/love-notes/${second}`)).statusCode, 404);
    assert.equal((await call(c, 'GET', `/v1/love-notes?coupleId=${coupleId}`)).statusCode, 404);
    // b, alone, sees the couple that closed last.
    assert.deepEqual(await ids(b, 'box=sent'), [second]);
    const mine = await send(a, { body: 'to c' });
    assert.deepEqual(await ids(c, 'box=inbox'), [mine]);
    assert.equal((await call(b, 'GET', `/v1/love-notes/${mine}`)).statusCode, 404);
  });

  it('purges the notes when the read-only period ends', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const note = await send(a, { body: 'gone in 30 days' });
    assert.equal((await call(a, 'DELETE', '/v1/couples/me')).statusCode, 200);
    assert.deepEqual(await ids(b, 'box=inbox'), [note]);
    await sql`update couples_couples set read_only_until = now() - interval '1 second'
      where id = ${coupleId}`.execute(db());
    assert.ok((await purgeClosedCouples(db())) >= 1);
    await startWorker();
    await eventually(async () => ((await statusOf(note)) === undefined ? true : undefined));
    for (const user of [a, b]) {
      assert.equal((await call(user, 'GET', `/v1/love-notes/${note}`)).statusCode, 404);
      assert.deepEqual(await ids(user, 'box=inbox'), []);
      assert.deepEqual(await ids(user, 'box=sent'), []);
    }
  });
});
