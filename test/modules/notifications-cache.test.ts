import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { MODULES } from '../../src/modules/index.ts';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { notificationsPersonalData } from '../../src/modules/notifications/personal-data.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { feed, loveNoteDelivered } from '../notifications/support.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type CacheMode, readOk, twoInstances } from '../support/response-cache.ts';
import { needs } from '../support/servers.ts';
import { as, eventually, testAuth } from '../support/test-auth.ts';

type Item = { id: string; title: string; readAt: string | null };
type Listed = {
  cache: string | undefined;
  etag: string | undefined;
  items: Item[];
  nextCursor: string | null;
};

/**
 * GET /notifications is cached per user, every query variant. Each write is
 * made on one instance and read on the other (one instance without Redis:
 * each process has its own cache there), against variants that were cached
 * (a HIT) just before: the next GET of every variant must be fresh. The
 * worker runs in a third instance and reaches the reader through Redis, or
 * without it through PostgreSQL NOTIFY.
 */
function suite(mode: CacheMode) {
  describe(
    `the notifications list in the response cache (${mode})`,
    mode === 'redis' ? needs('REDIS_URL') : {},
    () => {
      const apps = twoInstances(mode, {
        // The PostgreSQL bus, run by the worker instance only.
        env: { NATS_URL: '', JOBS_POLL_INTERVAL_MS: '100' },
        oneWithoutRedis: true,
      });
      let ctxTwo: NotificationsContext;
      before(async () => {
        ctxTwo = await notificationsContext(apps.two.platform);
      });

      const list = async (app: TestApp, user: string, query = '') => {
        const res = await readOk<Item[]>(app, user, `/v1/notifications${query}`);
        return {
          cache: res.cache,
          etag: res.etag,
          items: res.data,
          nextCursor: res.meta.nextCursor as string | null,
        } satisfies Listed;
      };
      /** Caches these variants of the list on the instance that reads them after the write. */
      const warm = async (app: TestApp, user: string, queries: string[]) => {
        for (const query of queries) {
          await list(app, user, query);
          assert.equal((await list(app, user, query)).cache, 'HIT', `${query || 'the list'} is cached`);
        }
      };
      const ids = (listed: Listed) => listed.items.map((item) => item.id);
      /** Three items on the writing instance, newest first; the cursor after the first. */
      const three = async (user: string) => {
        for (let i = 0; i < 3; i++) await feed(ctxTwo, 'love-note.delivered', loveNoteDelivered(user));
        const all = await list(apps.two, user);
        assert.equal(all.items.length, 3);
        const cursor = (await list(apps.two, user, '?limit=1')).nextCursor;
        assert.ok(cursor);
        return { items: all.items, cursorPage: `?limit=1&cursor=${encodeURIComponent(cursor)}` };
      };
      const call = (app: TestApp, user: string, method: 'POST' | 'DELETE', url: string) =>
        app.app.inject({ method, url, headers: as(user) });

      it('serves a cached list while nothing it shows changed', async () => {
        const { one, two } = apps;
        const me = newId();
        const someoneElse = newId();
        await three(me);
        const first = await list(one, me);
        const hit = await list(one, me);
        assert.equal(hit.cache, 'HIT');
        assert.deepEqual(hit.items, first.items);
        assert.equal(hit.etag, first.etag);
        const revalidated = await one.app.inject({
          url: '/v1/notifications',
          headers: { ...as(me), 'if-none-match': hit.etag! },
        });
        assert.equal(revalidated.statusCode, 304);
        // Someone else's new item, and one of mine kept out of the inbox (in-app switched off):
        // neither changes my list, so it stays cached.
        await feed(ctxTwo, 'love-note.delivered', loveNoteDelivered(someoneElse));
        const off = await two.app.inject({
          method: 'PATCH',
          url: '/v1/notifications/preferences',
          headers: as(me),
          payload: { 'love-notes': { in_app: false } },
        });
        assert.equal(off.statusCode, 200, off.body);
        const hidden = await feed(ctxTwo, 'love-note.delivered', loveNoteDelivered(me));
        assert.equal(hidden.created.length, 1);
        const still = await list(one, me);
        assert.equal(still.cache, 'HIT');
        assert.deepEqual(still.items, first.items);
      });

      it('shows a new item at once in every variant (intake invalidates after its commit)', async () => {
        const { one } = apps;
        const me = newId();
        await three(me);
        await warm(one, me, ['', '?unread=true', '?limit=1']);
        const { created } = await feed(ctxTwo, 'love-note.delivered', loveNoteDelivered(me));
        const id = created[0]!.id;
        assert.equal((await list(one, me)).items[0]?.id, id);
        assert.equal((await list(one, me, '?unread=true')).items[0]?.id, id);
        assert.deepEqual(ids(await list(one, me, '?limit=1')), [id]);
      });

      it('shows an item read, everything read, and an item deleted at once in every variant', async () => {
        const { one, two } = apps;
        const me = newId();
        const { items, cursorPage } = await three(me);
        const [newest, middle, oldest] = items as [Item, Item, Item];

        await warm(one, me, ['', '?unread=true', cursorPage]);
        assert.equal((await call(two, me, 'POST', `/v1/notifications/${middle.id}/read`)).statusCode, 200);
        assert.ok((await list(one, me)).items.find((i) => i.id === middle.id)?.readAt);
        assert.deepEqual(ids(await list(one, me, '?unread=true')), [newest.id, oldest.id]);
        assert.ok((await list(one, me, cursorPage)).items.find((i) => i.id === middle.id)?.readAt);

        await warm(one, me, ['', '?unread=true']);
        const all = await call(two, me, 'POST', '/v1/notifications/read-all');
        assert.equal(all.json().data.updated, 2);
        assert.deepEqual(await list(one, me, '?unread=true').then((l) => l.items), []);
        assert.ok((await list(one, me)).items.every((i) => i.readAt !== null));

        await warm(one, me, ['', '?limit=1', cursorPage]);
        assert.equal((await call(two, me, 'DELETE', `/v1/notifications/${middle.id}`)).statusCode, 204);
        assert.deepEqual(ids(await list(one, me)), [newest.id, oldest.id]);
        assert.deepEqual(ids(await list(one, me, cursorPage)), [oldest.id]);
        await warm(one, me, ['?limit=1']);
        assert.equal((await call(two, me, 'DELETE', `/v1/notifications/${newest.id}`)).statusCode, 204);
        assert.deepEqual(ids(await list(one, me, '?limit=1')), [oldest.id]);
      });

      it('empties the list at once when the person is erased', async () => {
        const { one, two } = apps;
        const me = newId();
        const { cursorPage } = await three(me);
        await warm(one, me, ['', '?unread=true', cursorPage]);
        // What the users module's eraser calls for this module (account deletion, an admin's erasure).
        await notificationsPersonalData.erase(two.platform, me);
        for (const query of ['', '?unread=true', cursorPage]) {
          assert.deepEqual((await list(one, me, query)).items, [], `${query || 'the list'} is empty`);
        }
      });

      it('shows what the worker process takes in and erases, well within the TTL', async () => {
        const { one } = apps;
        // The worker is a process of its own (started only here: the tests above read without one).
        const worker = await createTestApp(apps.env, { routes: testAuth, database: one.database });
        const stopModule = await MODULES.find((m) => m.name === 'notifications')!.worker!(worker.platform);
        const stopRunner = await startWorker(worker.platform);
        try {
          const me = newId();
          await warm(one, me, ['', '?unread=true']);
          await worker.platform.database.db
            .transaction()
            .execute((trx) =>
              publish(trx, 'love-note.delivered', { ...loveNoteDelivered(me), senderName: 'Robin' }),
            );
          // Each poll before the invalidation is a HIT of the empty list; the TTL (48–60 s) is far off.
          const [item] = await eventually(async () => {
            const { items } = await list(one, me);
            return items.length > 0 ? items : undefined;
          });
          assert.equal(item?.title, 'Robin sent you a love note');
          assert.deepEqual(ids(await list(one, me, '?unread=true')), [item!.id]);

          // Its notification.created invalidates once more before it is pushed live: let that
          // pass (and, without Redis, its NOTIFY arrive), so the lists are cached after it.
          await eventually(async () => {
            const { rows } = await sql<{ n: number }>`
              select (select count(*) from outbox_events where relayed_at is null)
                + (select count(*) from bus_deliveries where group_name = 'notifications') as n`.execute(
              worker.platform.database.db,
            );
            return Number(rows[0]!.n) === 0 ? true : undefined;
          });
          for (const query of ['', '?unread=true']) {
            await eventually(async () => ((await list(one, me, query)).cache === 'HIT' ? true : undefined));
          }
          await worker.platform.database.db
            .transaction()
            .execute((trx) => publish(trx, 'user.deleted', { userId: me }, { actorId: me }));
          await eventually(async () => ((await list(one, me)).items.length === 0 ? true : undefined));
          assert.deepEqual((await list(one, me, '?unread=true')).items, []);
        } finally {
          await stopRunner();
          await stopModule();
          await worker.close();
        }
      });
    },
  );
}

suite('memory');
suite('redis');
