import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { requireAuth } from '../../src/platform/http/auth.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, type Call, caller, registerStaff, registerUser, type SignedIn } from '../support/auth.ts';

/** A second scope for the tests: the app's real routes accept only `content:read` so far. */
const keyedRoute: FastifyPluginAsync = async (app) => {
  app.get(
    '/test/keyed',
    { onRequest: requireAuth, config: { apiKeyScope: 'test:write' } },
    async (request) => ({ keyId: request.apiKey?.id ?? null }),
  );
};

const KEY_SHAPE = /^o2o_live_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/;

describe('API keys', () => {
  let t: TestApp;
  let call: Call;
  let admin: SignedIn;

  const make = async (body: object) => {
    const res = await call({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: bearer(admin.accessToken),
      payload: body,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data as { key: { id: string; prefix: string; status: string }; secret: string };
  };
  const withKey = (key: string, url = '/v1/admin/content', how: 'header' | 'bearer' = 'header') =>
    call({ url, headers: how === 'header' ? { 'x-api-key': key } : bearer(key) });

  before(async () => {
    t = await createTestApp({}, { routes: keyedRoute });
    call = caller(t.app);
    admin = await registerStaff(call, t.platform.database.db);
  });
  after(() => t?.close());

  it('shows the secret once and keeps only its SHA-256 and its lookup prefix', async () => {
    const { key, secret } = await make({ name: 'CMS mirror', scopes: ['content:read'] });
    assert.match(secret, KEY_SHAPE);
    assert.ok(secret.startsWith(`${key.prefix}_`));
    assert.equal(key.status, 'active');
    const row = await sql<{ hash: Buffer; whole: string }>`
      select secret_hash as hash, k::text as whole from api_keys_keys k where id = ${key.id}`.execute(
      t.platform.database.db,
    );
    assert.deepEqual(row.rows[0]!.hash, createHash('sha256').update(secret).digest());
    assert.ok(!row.rows[0]!.whole.includes(secret.slice(-43)), 'the secret part is nowhere in the row');
    const one = await call({ url: `/v1/admin/api-keys/${key.id}`, headers: bearer(admin.accessToken) });
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().data.secret, undefined);
    const list = await call({ url: '/v1/admin/api-keys?status=active', headers: bearer(admin.accessToken) });
    assert.ok(list.json().data.some((k: { id: string }) => k.id === key.id));
    assert.ok(!list.body.includes(secret.slice(-43)));
  });

  it('authenticates with X-API-Key or a bearer key on a route that names its scope, and records use', async () => {
    const { key, secret } = await make({ name: 'indexer', scopes: ['content:read'] });
    const byHeader = await withKey(secret);
    assert.equal(byHeader.statusCode, 200, byHeader.body);
    assert.ok(Array.isArray(byHeader.json().data));
    const byBearer = await withKey(secret, '/v1/admin/content', 'bearer');
    assert.equal(byBearer.statusCode, 200, byBearer.body);
    let lastUsed: string | null = null;
    for (let i = 0; i < 50 && !lastUsed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const res = await call({ url: `/v1/admin/api-keys/${key.id}`, headers: bearer(admin.accessToken) });
      lastUsed = res.json().data.lastUsedAt;
    }
    assert.ok(lastUsed, 'lastUsedAt is set after a use');
  });

  it('answers 403 to a key without the route’s scope, and on routes that take no keys', async () => {
    const { secret: testKey } = await make({ name: 'other', scopes: ['test:write'] });
    const { secret: contentKey } = await make({ name: 'reader', scopes: ['content:read'] });
    const lacking = await withKey(testKey);
    assert.equal(lacking.statusCode, 403);
    assert.equal(lacking.json().errors[0].code, 'FORBIDDEN');
    assert.match(lacking.json().errors[0].message, /content:read/);
    assert.equal((await withKey(contentKey, '/v1/test/keyed')).statusCode, 403);
    const own = await withKey(testKey, '/v1/test/keyed');
    assert.equal(own.statusCode, 200, own.body);
    // A key is not a user: user routes and key management refuse it.
    for (const url of ['/v1/users/me', '/v1/admin/api-keys', '/v1/admin/dead-letters']) {
      const res = await withKey(contentKey, url);
      assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
    }
  });

  it('answers 401 to unknown, malformed, revoked and expired keys, and to a key beside a token', async () => {
    const { key, secret } = await make({ name: 'short-lived', scopes: ['content:read'] });
    const forged = `${secret.slice(0, -4)}AAAA`;
    for (const bad of [forged, 'o2o_live_nothing', `o2o_live_000000000000_${'A'.repeat(43)}`]) {
      const res = await withKey(bad);
      assert.equal(res.statusCode, 401, bad);
      assert.equal(res.json().errors[0].code, 'UNAUTHENTICATED');
    }
    const both = await call({
      url: '/v1/admin/content',
      headers: { ...bearer(admin.accessToken), 'x-api-key': secret },
    });
    assert.equal(both.statusCode, 401);

    const revoked = await call({
      method: 'DELETE',
      url: `/v1/admin/api-keys/${key.id}`,
      headers: bearer(admin.accessToken),
    });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().data.status, 'revoked');
    const after = await withKey(secret);
    assert.equal(after.statusCode, 401);
    assert.match(after.json().errors[0].message, /revoked/);

    // 5 s of life: enough for a loaded CI machine to make the key and use it before it expires.
    const expiresAt = Date.now() + 5000;
    const expiring = await make({
      name: 'expires',
      scopes: ['content:read'],
      expiresAt: new Date(expiresAt).toISOString(),
    });
    assert.equal((await withKey(expiring.secret)).statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt + 100 - Date.now()));
    const expired = await withKey(expiring.secret);
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().errors[0].message, /expired/);
  });

  it('rotates: a new secret at once, the old one valid for the grace period only', async () => {
    const first = await make({ name: 'rotating', scopes: ['content:read'], rateLimitPerMinute: 50 });
    const rotate = (id: string, payload?: object) =>
      call({
        method: 'POST',
        url: `/v1/admin/api-keys/${id}/rotate`,
        headers: bearer(admin.accessToken),
        ...(payload ? { payload } : {}),
      });
    const second = await rotate(first.key.id);
    assert.equal(second.statusCode, 201, second.body);
    const { key, secret } = second.json().data;
    assert.notEqual(secret, first.secret);
    assert.equal(key.rotatedFrom, first.key.id);
    assert.deepEqual([key.name, key.scopes, key.rateLimitPerMinute], ['rotating', ['content:read'], 50]);
    // Both work during the grace period (a day by default).
    assert.equal((await withKey(first.secret)).statusCode, 200);
    assert.equal((await withKey(secret)).statusCode, 200);
    const old = await call({ url: `/v1/admin/api-keys/${first.key.id}`, headers: bearer(admin.accessToken) });
    const graceEnd = Date.parse(old.json().data.expiresAt);
    assert.ok(Math.abs(graceEnd - (Date.now() + 86_400_000)) < 60_000, old.body);

    // Rotating again without grace ends the previous key at once.
    const third = await rotate(key.id, { graceSeconds: 0 });
    assert.equal(third.statusCode, 201, third.body);
    assert.equal((await withKey(secret)).statusCode, 401);
    assert.equal((await withKey(third.json().data.secret)).statusCode, 200);
    assert.equal((await rotate(key.id)).statusCode, 409, 'an expired key cannot be rotated');
  });

  it('refuses scopes no route accepts, past expiries and non-admins', async () => {
    const post = (payload: object, token = admin.accessToken) =>
      call({ method: 'POST', url: '/v1/admin/api-keys', headers: bearer(token), payload });
    const unknown = await post({ name: 'x', scopes: ['content:write'] });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().errors[0].field, 'scopes');
    const past = await post({ name: 'x', scopes: ['content:read'], expiresAt: '2020-01-01T00:00:00Z' });
    assert.equal(past.statusCode, 400);
    const user = await registerUser(call);
    assert.equal((await post({ name: 'x', scopes: ['content:read'] }, user.accessToken)).statusCode, 403);
    const scopes = await call({ url: '/v1/admin/api-keys/scopes', headers: bearer(admin.accessToken) });
    assert.deepEqual(
      scopes.json().data.map((s: { scope: string }) => s.scope),
      ['content:read', 'test:write'],
    );
    assert.ok(scopes.json().data[0].routes.includes('GET /v1/admin/content'));
  });

  it('documents both ways to send a key, and the scope each route takes', async () => {
    const doc = (await call({ url: '/v1/openapi.json' })).json();
    assert.equal(doc.components.securitySchemes.apiKey.in, 'header');
    assert.equal(doc.components.securitySchemes.apiKey.name, 'X-API-Key');
    assert.equal(doc.components.securitySchemes.apiKeyBearer.scheme, 'bearer');
    const security = doc.paths['/v1/admin/content'].get.security;
    assert.deepEqual(security, [
      { bearerAuth: [] },
      { apiKey: ['content:read'] },
      { apiKeyBearer: ['content:read'] },
    ]);
    assert.deepEqual(doc.paths['/v1/admin/content'].post.security, [{ bearerAuth: [] }]);
  });
});

describe('API keys: rate limited per key', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ RATE_LIMIT_ENABLED: 'true' });
  });
  after(() => t?.close());

  it('counts each key under its own limit, whatever address it comes from', async () => {
    const call = caller(t.app);
    const admin = await registerStaff(call, t.platform.database.db);
    const make = async () => {
      const res = await call({
        method: 'POST',
        url: '/v1/admin/api-keys',
        headers: bearer(admin.accessToken),
        payload: { name: 'tight', scopes: ['content:read'], rateLimitPerMinute: 3 },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().data.secret as string;
    };
    const [one, two] = [await make(), await make()];
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // A fresh address each time: the per-IP level is not what refuses.
      const res = await caller(t.app)({ url: '/v1/admin/content', headers: { 'x-api-key': one } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        assert.equal(res.json().errors[0].code, 'RATE_LIMITED');
        assert.ok(Number(res.headers['retry-after']) >= 1);
        assert.match(String(res.headers['ratelimit-policy']), /"api-key";q=3;w=60/);
      }
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    // Another key has its own budget.
    assert.equal(
      (await caller(t.app)({ url: '/v1/admin/content', headers: { 'x-api-key': two } })).statusCode,
      200,
    );
  });
});
