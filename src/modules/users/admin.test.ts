import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { as, newUserId, testAuth } from '../../../test/support/test-auth.ts';

describe('users: admin and consents', () => {
  let t: TestApp;
  const admin = newUserId();
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const call = (method: string, url: string, headers: Record<string, string>, payload?: object) =>
    t.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });

  it('keeps admin routes to the admin role', async () => {
    const user = newUserId();
    assert.equal((await call('GET', '/v1/admin/users', {})).statusCode, 401);
    assert.equal((await call('GET', '/v1/admin/users', as(user))).statusCode, 403);
    assert.equal(
      (await call('POST', `/v1/admin/users/${user}/suspend`, as(user, 'editor'), {})).statusCode,
      403,
    );
    assert.equal((await call('GET', '/v1/admin/users', as(admin, 'admin'))).statusCode, 200);
  });

  it('finds users by handle prefix or id, including non-discoverable ones, page by page', async () => {
    const ids = [newUserId(), newUserId(), newUserId()];
    for (const [i, id] of ids.entries()) {
      await call('PATCH', '/v1/users/me', as(id), { handle: `adminfind_${i}`, discoverable: false });
    }
    const page1 = await call('GET', '/v1/admin/users?q=AdminFind&limit=2', as(admin, 'admin'));
    assert.equal(page1.statusCode, 200, page1.body);
    assert.equal(page1.json().data.length, 2);
    const cursor = page1.json().meta.nextCursor;
    const page2 = await call(
      'GET',
      `/v1/admin/users?q=adminfind&limit=2&cursor=${cursor}`,
      as(admin, 'admin'),
    );
    const seen = [...page1.json().data, ...page2.json().data].map((u: { id: string }) => u.id);
    assert.deepEqual(seen.sort(), [...ids].sort());
    assert.equal((await call('GET', '/v1/admin/users?q=a%00', as(admin, 'admin'))).statusCode, 400);
    const byId = await call('GET', `/v1/admin/users?q=${ids[1]}`, as(admin, 'admin'));
    assert.deepEqual(
      byId.json().data.map((u: { id: string }) => u.id),
      [ids[1]],
    );
  });

  it('suspends and unsuspends, publishing events, and a suspended user is locked out and hidden', async () => {
    const user = newUserId();
    const viewer = newUserId();
    await call('PATCH', '/v1/users/me', as(user), { handle: 'to_suspend', discoverable: true });
    const suspended = await call('POST', `/v1/admin/users/${user}/suspend`, as(admin, 'admin'), {
      reason: 'spam',
    });
    assert.equal(suspended.statusCode, 200, suspended.body);
    assert.equal(suspended.json().data.status, 'suspended');
    assert.equal(suspended.json().data.suspensionReason, 'spam');
    assert.equal((await call('GET', '/v1/users/me', as(user))).statusCode, 403);
    assert.equal((await call('GET', `/v1/users/${user}`, as(viewer))).statusCode, 404);
    const search = await call('GET', '/v1/users/search?q=to_suspend', as(viewer));
    assert.equal(search.json().data.length, 0);

    const back = await call('POST', `/v1/admin/users/${user}/unsuspend`, as(admin, 'admin'));
    assert.equal(back.json().data.status, 'active');
    assert.equal((await call('GET', '/v1/users/me', as(user))).statusCode, 200);
    const { rows } = await sql<{ type: string }>`select type from outbox_events
      where data->>'userId' = ${user} order by position`.execute(t.platform.database.db);
    assert.deepEqual(
      rows.map((r) => r.type),
      ['user.suspended', 'user.unsuspended'],
    );
  });

  it('refuses suspending oneself or an unknown user', async () => {
    assert.equal(
      (await call('POST', `/v1/admin/users/${admin}/suspend`, as(admin, 'admin'), {})).statusCode,
      409,
    );
    const unknown = await call('POST', `/v1/admin/users/${newUserId()}/suspend`, as(admin, 'admin'), {});
    assert.equal(unknown.statusCode, 404);
  });

  it('records consent decisions with time and IP and reports the latest per type', async () => {
    const user = newUserId();
    const give = (payload: object) => call('POST', '/v1/users/me/consents', as(user), payload);
    assert.equal((await give({ type: 'terms', version: '2026-01-01', granted: true })).statusCode, 201);
    assert.equal((await give({ type: 'marketing', version: 'v1', granted: true })).statusCode, 201);
    assert.equal((await give({ type: 'marketing', version: 'v1', granted: false })).statusCode, 201);
    const old = await give({ type: 'terms', version: '2019-01', granted: true });
    assert.equal(old.statusCode, 400, 'only the current terms can be accepted');
    assert.equal((await give({ type: 'cookies', version: '1', granted: true })).statusCode, 400);
    assert.equal((await give({ type: 'marketing', version: 'v\u00001', granted: true })).statusCode, 400);
    const res = await call('GET', '/v1/users/me/consents', as(user));
    const { current, history, required } = res.json().data;
    assert.equal(history.length, 3);
    assert.equal(history[0].ip, '127.0.0.1');
    assert.ok(Date.parse(history[0].recordedAt) > 0);
    const marketing = current.find((c: { type: string }) => c.type === 'marketing');
    assert.equal(marketing.granted, false);
    assert.equal(required.terms, '2026-01-01', 'the one terms version: AUTH_TERMS_VERSION');
  });
});
