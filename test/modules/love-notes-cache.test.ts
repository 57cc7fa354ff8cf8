import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { deliverDue } from '../../src/modules/love-notes/delivery.ts';
import { defaultDeps } from '../../src/modules/love-notes/dependencies.ts';
import { notesContext } from '../../src/modules/love-notes/index.ts';
import type { TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { type CacheMode, readOk, twoInstances } from '../support/response-cache.ts';
import { needs } from '../support/servers.ts';
import { as } from '../support/test-auth.ts';

type Listed = { id: string; status: string; favorite: boolean; reactions: { emoji: string }[] };

/**
 * GET /love-notes is cached per user. Every write is made on one instance
 * and checked on the other, against entries that were cached (a HIT) just
 * before: both partners' next list must be fresh.
 */
function suite(mode: CacheMode) {
  describe(
    `love-note lists in the response cache (${mode})`,
    mode === 'redis' ? needs('REDIS_URL') : {},
    () => {
      // Without Redis each process has its own cache, so the memory suite runs one instance.
      const apps = twoInstances(mode, { oneWithoutRedis: true });

      const call = (app: TestApp, user: string, method: 'POST' | 'DELETE', url: string, payload?: object) =>
        app.app.inject({ method, url, headers: as(user), ...(payload ? { payload } : {}) });
      const list = async (app: TestApp, user: string, box: string) => {
        const res = await readOk<Listed[]>(app, user, `/v1/love-notes?box=${box}`);
        return { cache: res.cache, notes: res.data };
      };
      /** Caches both partners' lists on the instance that will read them after the write. */
      const warm = async (app: TestApp, reads: Array<[string, string]>) => {
        for (const [user, box] of reads) {
          await list(app, user, box);
          assert.equal((await list(app, user, box)).cache, 'HIT', `${box} of ${user} is cached`);
        }
      };
      const find = async (app: TestApp, user: string, box: string, id: string) =>
        (await list(app, user, box)).notes.find((n) => n.id === id);

      it('lists a personal template fresh after it is created, edited and deleted', async () => {
        const { one, two } = apps;
        const { a } = await makeCouple(one);
        const templates = async (app: TestApp) => {
          const res = await readOk<Array<{ id: string; title: string }>>(app, a, '/v1/love-notes/templates');
          return { cache: res.cache, list: res.data };
        };
        const warmTemplates = async () => {
          await templates(two);
          assert.equal((await templates(two)).cache, 'HIT', 'the templates list is cached');
        };
        await warmTemplates();
        const made = await call(one, a, 'POST', '/v1/love-notes/templates', {
          title: 'Mine',
          body: 'Morning, {{partnerName}}',
          category: 'morning',
        });
        assert.equal(made.statusCode, 201, made.body);
        const id = made.json().data.id as string;
        assert.equal((await templates(two)).list.find((t) => t.id === id)?.title, 'Mine');

        await warmTemplates();
        const edited = await one.app.inject({
          method: 'PATCH',
          url: `/v1/love-notes/templates/${id}`,
          headers: as(a),
          payload: { title: 'Edited' },
        });
        assert.equal(edited.statusCode, 200, edited.body);
        assert.equal((await templates(two)).list.find((t) => t.id === id)?.title, 'Edited');

        await warmTemplates();
        assert.equal((await call(one, a, 'DELETE', `/v1/love-notes/templates/${id}`)).statusCode, 200);
        assert.equal(
          (await templates(two)).list.find((t) => t.id === id),
          undefined,
        );
      });

      it('shows a sent, read, reacted, favourite, hidden and unsent note fresh to both partners', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        await warm(two, [
          [b, 'inbox'],
          [a, 'sent'],
        ]);
        const sent = await call(one, a, 'POST', '/v1/love-notes', { body: 'fresh?' });
        assert.equal(sent.statusCode, 201);
        const id = sent.json().data.id as string;
        assert.equal((await find(two, b, 'inbox', id))?.status, 'delivered');
        assert.equal((await find(two, a, 'sent', id))?.status, 'delivered');

        await warm(one, [
          [b, 'inbox'],
          [a, 'sent'],
        ]);
        assert.equal((await call(two, b, 'POST', `/v1/love-notes/${id}/read`)).statusCode, 200);
        assert.equal((await find(one, b, 'inbox', id))?.status, 'read');
        assert.equal((await find(one, a, 'sent', id))?.status, 'read');

        await warm(two, [
          [b, 'inbox'],
          [a, 'sent'],
        ]);
        assert.equal(
          (await call(one, a, 'POST', `/v1/love-notes/${id}/reactions`, { emoji: '🥰' })).statusCode,
          200,
        );
        assert.deepEqual(
          (await find(two, b, 'inbox', id))?.reactions.map((r) => r.emoji),
          ['🥰'],
        );
        assert.deepEqual(
          (await find(two, a, 'sent', id))?.reactions.map((r) => r.emoji),
          ['🥰'],
        );

        await warm(one, [[b, 'inbox']]);
        assert.equal((await call(two, b, 'POST', `/v1/love-notes/${id}/favorite`)).statusCode, 200);
        assert.equal((await find(one, b, 'inbox', id))?.favorite, true);

        await warm(two, [
          [b, 'inbox'],
          [a, 'sent'],
        ]);
        assert.equal((await call(one, b, 'DELETE', `/v1/love-notes/${id}`)).statusCode, 200);
        assert.equal(await find(two, b, 'inbox', id), undefined, 'hidden from the recipient');
        assert.ok(await find(two, a, 'sent', id), 'still in the sender’s sent box');

        const other = (await call(one, a, 'POST', '/v1/love-notes', { body: 'oops' })).json().data
          .id as string;
        await warm(two, [
          [b, 'inbox'],
          [a, 'sent'],
        ]);
        assert.ok(await find(two, b, 'inbox', other));
        assert.equal((await call(one, a, 'DELETE', `/v1/love-notes/${other}`)).statusCode, 200);
        assert.equal(await find(two, b, 'inbox', other), undefined, 'unsent: gone from the inbox');
        assert.equal(await find(two, a, 'sent', other), undefined, 'unsent: gone from the sent box');
      });

      it("keeps the sender's own inbox cached when they send, and refreshes it when the partner sends", async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        const fromB = (await call(one, b, 'POST', '/v1/love-notes', { body: 'to a' })).json().data
          .id as string;
        await warm(two, [
          [a, 'inbox'],
          [a, 'sent'],
          [b, 'inbox'],
        ]);
        const fromA = await call(one, a, 'POST', '/v1/love-notes', { body: 'to b' });
        assert.equal(fromA.statusCode, 201);
        const id = fromA.json().data.id as string;
        // A's inbox did not change: still the cached entry, still showing B's note.
        const inboxOfA = await list(two, a, 'inbox');
        assert.equal(inboxOfA.cache, 'HIT', "the sender's inbox stays cached");
        assert.deepEqual(
          inboxOfA.notes.map((n) => n.id),
          [fromB],
        );
        assert.ok(await find(two, a, 'sent', id), "in the sender's sent box at once");
        assert.ok(await find(two, b, 'inbox', id), "in the recipient's inbox at once");

        await warm(two, [[a, 'inbox']]);
        const reply = (await call(one, b, 'POST', '/v1/love-notes', { body: 'back to a' })).json().data
          .id as string;
        assert.ok(await find(two, a, 'inbox', reply), "the partner's note reaches A's cached inbox");
      });

      it('shows a scheduled note delivered by a worker fresh to both partners', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
        const res = await call(one, a, 'POST', '/v1/love-notes', { body: 'later', scheduledAt });
        assert.equal(res.statusCode, 202);
        const id = res.json().data.id as string;
        await warm(one, [
          [b, 'inbox'],
          [a, 'sent'],
          [a, 'scheduled'],
        ]);
        assert.ok(await find(one, a, 'scheduled', id));
        await sql`update love_notes_notes set scheduled_at = now() - interval '1 second' where id = ${id}`.execute(
          two.platform.database.db,
        );
        // The worker is the other instance: its invalidation must reach this one.
        assert.ok((await deliverDue(notesContext(two.platform, defaultDeps))) >= 1);
        assert.equal((await find(one, b, 'inbox', id))?.status, 'delivered');
        assert.equal((await find(one, a, 'sent', id))?.status, 'delivered');
        assert.equal(await find(one, a, 'scheduled', id), undefined);
      });

      it('refuses a send once the couple unlinks, and empties the lists of a new couple, on every instance', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        const id = (await call(one, a, 'POST', '/v1/love-notes', { body: 'before' })).json().data
          .id as string;
        await warm(two, [
          [b, 'inbox'],
          [a, 'sent'],
        ]);
        assert.ok(await find(two, b, 'inbox', id));
        // The send path's couple lookup is cached too: warm it on the other instance.
        assert.equal(
          (await call(two, a, 'POST', '/v1/love-notes', { body: 'still linked' })).statusCode,
          201,
        );
        assert.equal((await call(one, b, 'DELETE', '/v1/couples/me')).statusCode, 200);
        assert.equal((await call(two, a, 'POST', '/v1/love-notes', { body: 'after' })).statusCode, 409);
        // The closed couple's history stays readable for the read-only period (both notes).
        await warm(two, [
          [b, 'inbox'],
          [a, 'sent'],
        ]);
        assert.equal((await list(two, b, 'inbox')).notes.length, 2);
        // A new couple starts empty: linking clears the cached lists too.
        const c = await makeCouple(one);
        assert.equal((await call(one, c.a, 'DELETE', '/v1/couples/me')).statusCode, 200);
        await makeCouple(one, { ids: [c.a, b] });
        assert.deepEqual((await list(two, b, 'inbox')).notes, []);
        assert.equal((await call(two, b, 'POST', '/v1/love-notes', { body: 'to c.a' })).statusCode, 201);
      });
    },
  );
}

suite('memory');
suite('redis');
