import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { purgeClosedCouples } from '../../src/modules/couples/index.ts';
import { inboxTag, sentTag } from '../../src/modules/love-notes/cache.ts';
import { onCouplePurged, onCoupleUnlinked } from '../../src/modules/love-notes/closed-couples.ts';
import { defaultDeps } from '../../src/modules/love-notes/dependencies.ts';
import { notesContext } from '../../src/modules/love-notes/index.ts';
import { onCoupleEvent, paymentsTag } from '../../src/modules/payments/entitlements.ts';
import { onUserRegistered } from '../../src/modules/users/events.ts';
import { withCommitHooks } from '../../src/platform/bus/after-commit.ts';
import type { EventEnvelope, EventMap } from '../../src/platform/bus/events.ts';
import { envelopeFromRow, type OutboxEventRow } from '../../src/platform/bus/outbox.ts';
import type { Platform } from '../../src/platform/platform.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Bus consumers that change what a response-cached route shows forget the
 * cached answers once their transaction commits (`afterCommit`), never
 * inside it: a read between an invalidation and the commit would read the
 * old rows and store them as current, to be served until the TTL. Each
 * handler runs here as the bus runs it (`withCommitHooks`), no worker. Where
 * the old answer is visible in an API, a read is squeezed in before the
 * commit and the read after it must be fresh; elsewhere the invalidation is
 * observed (the real cache's, passed on) and must see the handler's write
 * from another connection.
 */
describe('cache invalidations of bus consumers run after their commit', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(async () => {
    await t?.close();
  });

  const db = () => t.platform.database.db;
  const call = (userId: string | null, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: userId ? as(userId) : {}, ...(payload ? { payload } : {}) });
  const ids = async (userId: string, box: string) => {
    const res = await call(userId, 'GET', `/v1/love-notes?box=${box}`);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().data as Array<{ id: string }>).map((n) => n.id);
  };
  /** The event as the couples module published it (from the outbox), for the handler. */
  const published = async <T extends keyof EventMap>(type: T, coupleId: string) => {
    const { rows } = await sql<OutboxEventRow>`select * from outbox_events
      where type = ${type} and couple_id = ${coupleId} order by position desc limit 1`.execute(db());
    assert.ok(rows[0], `${type} of ${coupleId} was published`);
    return envelopeFromRow(rows[0]) as EventEnvelope<T>;
  };
  /**
   * The platform with its response cache observed: each invalidation records its tags and
   * whether `committed()`, asked on another connection, held then; then the real one runs.
   */
  const observed = (committed: () => Promise<boolean>) => {
    const calls: Array<{ tags: string[]; committed: boolean }> = [];
    const real = t.platform.responseCache;
    const responseCache: typeof real = {
      kind: real.kind,
      store: real.store,
      ready: () => real.ready(),
      close: () => real.close(),
      async invalidate(tags) {
        calls.push({ tags, committed: await committed() });
        await real.invalidate(tags);
      },
    };
    const platform: Platform = { ...t.platform, responseCache };
    return { platform, calls };
  };

  it('love notes, couple.unlinked: a scheduled box read before the commit is not kept', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const sent = await call(a, 'POST', '/v1/love-notes', {
      body: 'see you tonight',
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    assert.equal(sent.statusCode, 202, sent.body);
    const note = sent.json().data.id as string;
    assert.deepEqual(await ids(a, 'scheduled'), [note]);
    assert.equal((await call(b, 'DELETE', '/v1/couples/me')).statusCode, 200);
    const event = await published('couple.unlinked', coupleId);

    const ctx = notesContext(t.platform, defaultDeps);
    const squeezed = await withCommitHooks(db(), async (trx) => {
      await onCoupleUnlinked(ctx, event, trx);
      // Another request, before the commit: it still sees the note waiting, and caches that.
      return ids(a, 'scheduled');
    });
    assert.deepEqual(squeezed, [note], 'the read in between saw the state before the commit');
    assert.deepEqual(await ids(a, 'scheduled'), [], 'the cancelled note is gone from the box at once');
  });

  it('love notes, couple.purged: both former partners’ lists are forgotten once the notes are gone', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const sent = await call(a, 'POST', '/v1/love-notes', { body: 'gone in 30 days' });
    const note = sent.json().data.id as string;
    assert.equal((await call(a, 'DELETE', '/v1/couples/me')).statusCode, 200);
    // Cached during the read-only period.
    assert.deepEqual(await ids(b, 'inbox'), [note]);
    assert.deepEqual(await ids(a, 'sent'), [note]);
    await sql`update couples_couples set read_only_until = now() - interval '1 second'
      where id = ${coupleId}`.execute(db());
    assert.ok((await purgeClosedCouples(db())) >= 1);
    const event = await published('couple.purged', coupleId);

    const { platform, calls } = observed(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from love_notes_notes
        where couple_id = ${coupleId}`.execute(db());
      return rows[0]!.n === 0;
    });
    await withCommitHooks(db(), (trx) => onCouplePurged(notesContext(platform, defaultDeps), event, trx));
    assert.deepEqual(calls, [{ tags: [sentTag(a), inboxTag(b)], committed: true }]);
    assert.deepEqual(await ids(b, 'inbox'), []);
    assert.deepEqual(await ids(a, 'sent'), []);
  });

  it('payments, couple.linked and couple.unlinked: the partners’ answers are forgotten after the commit', async () => {
    const a = newUserId();
    const b = newUserId();
    const checkout = await call(a, 'POST', '/v1/billing/checkout', { planId: 'premium-monthly' });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const paid = await call(null, 'POST', `${checkout.json().data.url}/complete`);
    assert.equal(paid.statusCode, 200, paid.body);
    const filedUnder = async () =>
      (
        await sql<{ couple_id: string | null }>`select couple_id from payments_entitlements
          where subscriber_id = ${a}`.execute(db())
      ).rows[0]?.couple_id;
    assert.equal(await filedUnder(), null);

    const { coupleId } = await makeCouple(t, { ids: [a, b] });
    const linked = observed(async () => (await filedUnder()) === coupleId);
    const link = await published('couple.linked', coupleId);
    await withCommitHooks(db(), (trx) => onCoupleEvent(linked.platform, link, trx));
    assert.deepEqual(linked.calls, [{ tags: [paymentsTag(a), paymentsTag(b)], committed: true }]);

    assert.equal((await call(b, 'DELETE', '/v1/couples/me')).statusCode, 200);
    const unlinked = observed(async () => (await filedUnder()) === null);
    const unlink = await published('couple.unlinked', coupleId);
    await withCommitHooks(db(), (trx) => onCoupleEvent(unlinked.platform, unlink, trx));
    assert.equal(unlinked.calls.length, 1);
    assert.deepEqual([...unlinked.calls[0]!.tags].sort(), [paymentsTag(a), paymentsTag(b)].sort());
    assert.equal(unlinked.calls[0]!.committed, true);
  });

  it('users, user.registered: a profile read before the commit is not kept without its name', async () => {
    const userId = newUserId();
    const me = async () => {
      const res = await call(userId, 'GET', '/v1/users/me');
      assert.equal(res.statusCode, 200, res.body);
      return res.json().data.displayName as string | null;
    };
    // The first request created the profile without a name, and it is cached.
    assert.equal(await me(), null);
    const event: EventEnvelope<'user.registered'> = {
      id: newUserId(),
      type: 'user.registered',
      version: 1,
      occurredAt: new Date().toISOString(),
      actorId: userId,
      coupleId: null,
      data: { userId, email: `${userId}@example.test`, displayName: 'Late Lena', method: 'password' },
    };
    const squeezed = await withCommitHooks(db(), async (trx) => {
      await onUserRegistered(t.platform, event, trx);
      return me();
    });
    assert.equal(squeezed, null, 'the read in between saw the profile before the commit');
    assert.equal(await me(), 'Late Lena', 'the name shows at once');
  });
});
