import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { assertSameCouple } from '../../src/modules/couples/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Property: over random sets of people (some discoverable, some not) and
 * random couples among them, no sequence of calls to the users and couples
 * endpoints lets anyone read or change another couple's data or see a
 * non-discoverable stranger's profile.
 */

const world = fc
  .array(fc.boolean(), { minLength: 3, maxLength: 6 })
  .chain((discoverable) =>
    fc.record({
      discoverable: fc.constant(discoverable),
      order: fc.shuffledSubarray([...discoverable.keys()], {
        minLength: discoverable.length,
        maxLength: discoverable.length,
      }),
      couples: fc.integer({ min: 0, max: Math.floor(discoverable.length / 2) }),
    }),
  )
  .map(({ discoverable, order, couples }) => ({
    discoverable,
    couples: Array.from(
      { length: couples },
      (_, k) => [order[2 * k]!, order[2 * k + 1]!] as [number, number],
    ),
  }));

const command = fc.record({
  op: fc.constantFrom(
    'getExport',
    'getUser',
    'putUser',
    'patchCouple',
    'getCouple',
    'search',
    'revokeInvite',
    'acceptInvite',
  ),
  actor: fc.nat(),
  target: fc.nat(),
});

describe('isolation between couples and strangers (property)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const call = (method: string, url: string, userId: string, payload?: object) =>
    t.app.inject({ method: method as 'GET', url, headers: as(userId), ...(payload ? { payload } : {}) });

  it('holds for random worlds and call sequences', async () => {
    await fc.assert(
      fc.asyncProperty(world, fc.array(command, { minLength: 5, maxLength: 25 }), async (w, commands) => {
        const n = w.discoverable.length;
        const ids = w.discoverable.map(() => newUserId());
        const handles = ids.map((id) => `iso_${id.slice(-12).replaceAll('-', '')}`);
        const partner = new Map<number, number>();
        for (const [x, y] of w.couples) partner.set(x, y).set(y, x);

        for (const [i, id] of ids.entries()) {
          const res = await call('PATCH', '/v1/users/me', id, {
            handle: handles[i],
            displayName: `Person ${i}`,
            bio: `bio-${i}`,
            discoverable: w.discoverable[i],
          });
          assert.equal(res.statusCode, 200);
        }
        const coupleOf = new Map<number, string>();
        for (const [x, y] of w.couples) {
          const code = (await call('POST', '/v1/couples/invites', ids[x]!)).json().data.code;
          const res = await call('POST', `/v1/couples/invites/${code}/accept`, ids[y]!);
          assert.equal(res.statusCode, 200, res.body);
          coupleOf.set(x, res.json().data.id).set(y, res.json().data.id);
        }
        // Everyone has a finished export on record.
        const exportOf = ids.map(() => newUserId());
        for (const [i, id] of ids.entries()) {
          await sql`insert into users_exports (user_id, id, status, progress, created_at)
            values (${id}, ${exportOf[i]}, 'failed', 100, now())`.execute(t.platform.database.db);
        }
        // Singles hold an open invite each.
        const inviteOf = new Map<number, string>();
        for (let i = 0; i < n; i++) {
          if (!partner.has(i))
            inviteOf.set(i, (await call('POST', '/v1/couples/invites', ids[i]!)).json().data.code);
        }

        for (const { op, actor: a, target: b } of commands) {
          const actor = a % n;
          const target = b % n;
          const self = actor === target;
          const isPartner = partner.get(actor) === target;
          if (op === 'getExport') {
            const res = await call('GET', `/v1/users/me/export/${exportOf[target]}`, ids[actor]!);
            assert.equal(res.statusCode, self ? 200 : 404);
          } else if (op === 'getUser') {
            const res = await call('GET', `/v1/users/${ids[target]}`, ids[actor]!);
            if (self) assert.equal(res.json().data.locale, 'en');
            else if (isPartner) {
              assert.equal(res.json().data.bio, `bio-${target}`);
              assert.equal(res.json().data.locale, undefined);
            } else if (w.discoverable[target]) {
              assert.deepEqual(Object.keys(res.json().data).sort(), [
                'avatarUrl',
                'displayName',
                'handle',
                'id',
              ]);
            } else assert.equal(res.statusCode, 404);
          } else if (op === 'putUser') {
            const res = await call('PUT', `/v1/users/${ids[target]}`, ids[actor]!, { bio: `bio-${target}` });
            assert.equal(res.statusCode, self ? 200 : 403);
          } else if (op === 'patchCouple') {
            const res = await call('PATCH', '/v1/couples/me', ids[actor]!, { nickname: `from-${actor}` });
            assert.equal(res.statusCode, partner.has(actor) ? 200 : 404);
          } else if (op === 'getCouple') {
            const res = await call('GET', '/v1/couples/me', ids[actor]!);
            if (!partner.has(actor)) assert.equal(res.statusCode, 404);
            else {
              assert.equal(res.json().data.id, coupleOf.get(actor));
              assert.equal(res.json().data.partner.id, ids[partner.get(actor)!]);
            }
          } else if (op === 'search') {
            const res = await call('GET', `/v1/users/search?q=${handles[target]}`, ids[actor]!);
            assert.equal(res.statusCode, 200);
            for (const card of res.json().data as Array<{ id: string }>) {
              const index = ids.indexOf(card.id);
              if (index >= 0) assert.ok(w.discoverable[index], 'a non-discoverable person was found');
            }
          } else if (op === 'revokeInvite' && inviteOf.has(target) && !self) {
            const res = await call('DELETE', `/v1/couples/invites/${inviteOf.get(target)}`, ids[actor]!);
            assert.equal(res.statusCode, 403);
          } else if (op === 'acceptInvite' && inviteOf.has(target) && partner.has(actor)) {
            // Someone in a couple cannot join another.
            const res = await call('POST', `/v1/couples/invites/${inviteOf.get(target)}/accept`, ids[actor]!);
            assert.equal(res.statusCode, 409);
          }
          // No one can act on a couple they are not in.
          const foreign = [...coupleOf.entries()].find(
            ([member]) => member !== actor && partner.get(actor) !== member,
          );
          if (foreign) {
            await assert.rejects(assertSameCouple(t.platform.database.db, ids[actor]!, foreign[1]), {
              status: 404,
            });
          }
        }

        // After everything: each person's data is what they (and only they) set.
        for (let i = 0; i < n; i++) {
          const me = (await call('GET', '/v1/users/me', ids[i]!)).json().data;
          assert.equal(me.bio, `bio-${i}`);
          if (partner.has(i)) {
            const couple = (await call('GET', '/v1/couples/me', ids[i]!)).json().data;
            const fromPartner = couple.nicknames.fromPartner;
            assert.ok(fromPartner === null || fromPartner === `from-${partner.get(i)}`, String(fromPartner));
            assert.ok([null, `from-${i}`].includes(couple.nicknames.forPartner));
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
