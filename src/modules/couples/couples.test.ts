import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { as, newUserId, testAuth } from '../../../test/support/test-auth.ts';
import { assertSameCouple, partnerOf } from './index.ts';

describe('couples', () => {
  let t: TestApp;
  let baseUrl: string;
  before(async () => {
    t = await createTestApp({ APP_URL: 'https://app.example' }, { routes: testAuth });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  const call = (method: string, url: string, userId: string, payload?: object) =>
    t.app.inject({ method: method as 'GET', url, headers: as(userId), ...(payload ? { payload } : {}) });

  async function invite(userId: string): Promise<string> {
    const res = await call('POST', '/v1/couples/invites', userId);
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data.code;
  }

  async function link(): Promise<{ a: string; b: string; coupleId: string }> {
    const a = newUserId();
    const b = newUserId();
    const res = await call('POST', `/v1/couples/invites/${await invite(a)}/accept`, b);
    assert.equal(res.statusCode, 200, res.body);
    return { a, b, coupleId: res.json().data.id };
  }

  const events = async (type: string, coupleId: string) =>
    (
      await sql<{
        data: Record<string, unknown>;
      }>`select data from outbox_events where type = ${type} and couple_id = ${coupleId}`.execute(
        t.platform.database.db,
      )
    ).rows;

  it('creates an invite with a shareable link valid for 7 days, and shows who sent it', async () => {
    const a = newUserId();
    await call('PATCH', '/v1/users/me', a, { displayName: 'Ana', handle: 'ana_inv' });
    const res = await call('POST', '/v1/couples/invites', a);
    const { code, url, expiresAt } = res.json().data;
    assert.match(code, /^[0-9A-Z]{12}$/);
    assert.equal(url, `https://app.example/invite/${code}`);
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 6.99 && days <= 7, String(days));
    const shown = await call('GET', `/v1/couples/invites/${code.toLowerCase()}`, newUserId());
    assert.equal(shown.statusCode, 200);
    assert.equal(shown.json().data.status, 'pending');
    assert.equal(shown.json().data.inviter.displayName, 'Ana');
    assert.equal(shown.json().data.inviter.handle, 'ana_inv');
  });

  it('keeps one active invite per person: a new one revokes the previous', async () => {
    const a = newUserId();
    const first = await invite(a);
    const second = await invite(a);
    assert.equal((await call('GET', `/v1/couples/invites/${first}`, a)).json().data.status, 'revoked');
    assert.equal((await call('GET', `/v1/couples/invites/${second}`, a)).json().data.status, 'pending');
    const accept = await call('POST', `/v1/couples/invites/${first}/accept`, newUserId());
    assert.equal(accept.statusCode, 409);
  });

  it('links two people, publishes couple.linked, and exposes partnerOf / assertSameCouple', async () => {
    const { a, b, coupleId } = await link();
    const mine = (await call('GET', '/v1/couples/me', a)).json().data;
    assert.equal(mine.id, coupleId);
    assert.equal(mine.status, 'active');
    assert.equal(mine.partner.id, b);
    assert.equal(mine.daysTogether, 0);
    const db = t.platform.database.db;
    assert.equal(await partnerOf(db, a), b);
    assert.equal(await partnerOf(db, b), a);
    assert.equal(await partnerOf(db, newUserId()), null);
    await assertSameCouple(db, a, coupleId);
    await assert.rejects(assertSameCouple(db, newUserId(), coupleId), { status: 404 });
    const linked = await events('couple.linked', coupleId);
    assert.equal(linked.length, 1);
    assert.deepEqual(linked[0]!.data, { coupleId, userIds: [a, b] });
  });

  it('refuses accepting one’s own invite, a used invite, and a second couple', async () => {
    const a = newUserId();
    const own = await invite(a);
    assert.equal((await call('POST', `/v1/couples/invites/${own}/accept`, a)).statusCode, 409);
    const { a: taken } = await link();
    const again = await call('POST', `/v1/couples/invites/${own}/accept`, taken);
    assert.equal(again.statusCode, 409, 'a person already in a couple cannot accept another');
    assert.equal((await call('POST', '/v1/couples/invites', taken)).statusCode, 409);
    assert.equal((await call('POST', '/v1/couples/invites/ZZZZZZZZZZZZ/accept', a)).statusCode, 404);
    assert.equal((await call('POST', '/v1/couples/invites/short/accept', a)).statusCode, 400);
  });

  it('lets the invitee decline and only the inviter revoke', async () => {
    const a = newUserId();
    const code = await invite(a);
    assert.equal((await call('DELETE', `/v1/couples/invites/${code}`, newUserId())).statusCode, 403);
    const declined = await call('POST', `/v1/couples/invites/${code}/decline`, newUserId());
    assert.equal(declined.json().data.status, 'declined');
    assert.equal((await call('POST', `/v1/couples/invites/${code}/accept`, newUserId())).statusCode, 409);
    const other = await invite(a);
    assert.equal((await call('DELETE', `/v1/couples/invites/${other}`, a)).json().data.status, 'revoked');
    assert.equal((await call('DELETE', `/v1/couples/invites/${other}`, a)).statusCode, 409);
  });

  it('lets only someone who could accept an invite decline it: not a person already in a couple', async () => {
    const inviter = newUserId();
    const code = await invite(inviter);
    const { a: taken } = await link();
    const refused = await call('POST', `/v1/couples/invites/${code}/decline`, taken);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().errors[0].code, 'CONFLICT');
    const shown = await call('GET', `/v1/couples/invites/${code}`, inviter);
    assert.equal(shown.json().data.status, 'pending', 'the refused decline changed nothing');
    const accepted = await call('POST', `/v1/couples/invites/${code}/accept`, newUserId());
    assert.equal(accepted.statusCode, 200, 'the intended partner can still accept');
  });

  it('refuses an expired invite', async () => {
    const a = newUserId();
    const code = await invite(a);
    await sql`update couples_invites set expires_at = now() - interval '1 second' where code = ${code}`.execute(
      t.platform.database.db,
    );
    assert.equal((await call('GET', `/v1/couples/invites/${code}`, a)).json().data.status, 'expired');
    assert.equal((await call('POST', `/v1/couples/invites/${code}/accept`, newUserId())).statusCode, 409);
  });

  it('makes exactly one couple when a person accepts two invites at the same moment (real HTTP)', async () => {
    for (let round = 0; round < 5; round++) {
      const [x, y, z] = [newUserId(), newUserId(), newUserId()];
      const codes = [await invite(x), await invite(y)];
      const results = await Promise.all(
        codes.map((code) =>
          fetch(`${baseUrl}/v1/couples/invites/${code}/accept`, { method: 'POST', headers: as(z) }),
        ),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from couples_couples
        where status = 'active' and ${z} in (user_a, user_b)`.execute(t.platform.database.db);
      assert.equal(rows[0]!.n, 1);
    }
  });

  it('makes one couple when two people accept each other’s invites at the same moment', async () => {
    const [x, y] = [newUserId(), newUserId()];
    const [cx, cy] = [await invite(x), await invite(y)];
    const results = await Promise.all([
      fetch(`${baseUrl}/v1/couples/invites/${cx}/accept`, { method: 'POST', headers: as(y) }),
      fetch(`${baseUrl}/v1/couples/invites/${cy}/accept`, { method: 'POST', headers: as(x) }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
  });

  it('updates the couple’s dates and each partner’s nickname for the other', async () => {
    const { a, b } = await link();
    const res = await call('PATCH', '/v1/couples/me', a, {
      relationshipStart: '2020-01-01',
      anniversary: '2021-06-12',
      nickname: 'Honey',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().data.nicknames.forPartner, 'Honey');
    assert.ok(res.json().data.daysTogether > 365 * 5);
    const seen = (await call('GET', '/v1/couples/me', b)).json().data;
    assert.equal(seen.nicknames.fromPartner, 'Honey');
    assert.equal(seen.anniversary, '2021-06-12');
    assert.equal(
      (await call('PATCH', '/v1/couples/me', a, { relationshipStart: '2999-01-01' })).statusCode,
      400,
    );
    assert.equal((await call('PATCH', '/v1/couples/me', a, { anniversary: '2021-02-30' })).statusCode, 400);
    assert.equal((await call('PATCH', '/v1/couples/me', a, { nickname: 'a\u0000' })).statusCode, 400);
    assert.equal((await call('PATCH', '/v1/couples/me', newUserId(), { nickname: 'x' })).statusCode, 404);
  });

  it('unlinks: closed, read-only for 30 days, couple.unlinked published, both free to link again', async () => {
    const { a, b, coupleId } = await link();
    const res = await call('DELETE', '/v1/couples/me', a);
    assert.equal(res.statusCode, 200, res.body);
    const closed = res.json().data;
    assert.equal(closed.status, 'closed');
    const days = (Date.parse(closed.readOnlyUntil) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30);
    assert.equal((await call('GET', '/v1/couples/me', b)).json().data.status, 'closed');
    assert.equal((await call('PATCH', '/v1/couples/me', b, { nickname: 'x' })).statusCode, 409);
    const db = t.platform.database.db;
    await assert.rejects(assertSameCouple(db, a, coupleId), { status: 404 });
    await assertSameCouple(db, a, coupleId, 'read');
    assert.equal(await partnerOf(db, a), null);
    const unlinked = await events('couple.unlinked', coupleId);
    assert.equal(unlinked.length, 1);
    assert.deepEqual(unlinked[0]!.data.userIds, [a, b]);
    assert.equal((await call('DELETE', '/v1/couples/me', a)).statusCode, 404);
    // Both may form a new couple.
    const code = await invite(a);
    assert.equal((await call('POST', `/v1/couples/invites/${code}/accept`, newUserId())).statusCode, 200);
  });

  it('reopens the couple when the same two link again within the read-only period, not after it', async () => {
    const { a, b, coupleId } = await link();
    await call('PATCH', '/v1/couples/me', a, { nickname: 'Bear', anniversary: '2022-02-02' });
    assert.equal((await call('DELETE', '/v1/couples/me', b)).statusCode, 200);
    // Either of them may invite: here the one who accepted last time.
    const again = await call('POST', `/v1/couples/invites/${await invite(b)}/accept`, a);
    assert.equal(again.statusCode, 200, again.body);
    const couple = again.json().data;
    assert.equal(couple.id, coupleId);
    assert.equal(couple.status, 'active');
    assert.equal(couple.closedAt, null);
    assert.equal(couple.readOnlyUntil, null);
    assert.equal(couple.nicknames.forPartner, 'Bear');
    assert.equal(couple.anniversary, '2022-02-02');
    assert.equal(await partnerOf(t.platform.database.db, b), a);
    assert.equal((await events('couple.linked', coupleId)).length, 2);

    // Once the read-only period is over (purged or not yet), linking again starts a new couple.
    assert.equal((await call('DELETE', '/v1/couples/me', a)).statusCode, 200);
    await sql`update couples_couples set read_only_until = now() - interval '1 second' where id = ${coupleId}`.execute(
      t.platform.database.db,
    );
    const later = await call('POST', `/v1/couples/invites/${await invite(a)}/accept`, b);
    assert.equal(later.statusCode, 200, later.body);
    assert.notEqual(later.json().data.id, coupleId);
    assert.equal(later.json().data.anniversary, null);
  });

  it('purges a closed couple when its read-only period ends', async () => {
    const { a, coupleId } = await link();
    await call('DELETE', '/v1/couples/me', a);
    const db = t.platform.database.db;
    await sql`update couples_couples set read_only_until = now() - interval '1 second' where id = ${coupleId}`.execute(
      db,
    );
    const { purgeClosedCouples } = await import('./index.ts');
    assert.ok((await purgeClosedCouples(db)) >= 1);
    await assert.rejects(assertSameCouple(db, a, coupleId, 'read'), { status: 404 });
    assert.equal((await events('couple.purged', coupleId)).length, 1);
    assert.equal((await call('GET', '/v1/couples/me', a)).statusCode, 404);
  });

  it('shows a partner the shared profile, which strangers cannot see', async () => {
    const { a, b } = await link();
    await call('PATCH', '/v1/users/me', b, { bio: 'for my partner', discoverable: false });
    const shared = await call('GET', `/v1/users/${b}`, a);
    assert.equal(shared.statusCode, 200);
    assert.equal(shared.json().data.bio, 'for my partner');
    assert.equal(shared.json().data.locale, undefined, 'not the full profile');
    assert.equal((await call('GET', `/v1/users/${b}`, newUserId())).statusCode, 404);
  });
});
