import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { pruneAuth } from '../../src/modules/auth/prune.ts';
import type { AuthDb } from '../../src/modules/auth/tables.ts';
import { MODULES } from '../../src/modules/index.ts';
import { ensureProfile } from '../../src/modules/users/index.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { pruneIdempotencyKeys } from '../../src/platform/http/idempotency-prune.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, type Call, caller, registerUser } from '../support/auth.ts';
import { deleteStream, testStreamName, waitFor } from '../support/bus.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * The wiring between landed modules, with the real auth module and a worker
 * running the modules' consumers and jobs: users' and couples' routes behind
 * auth's hooks, profiles created from `user.registered`, sessions ended by
 * suspension and deletion, and the prune jobs.
 */
describe('module wiring', () => {
  let t: TestApp;
  let call: Call;
  let stopWorker: () => Promise<void>;
  const stopModules: Array<() => Promise<void>> = [];
  const stream = testStreamName();
  const db = () => t.platform.database.db as unknown as AuthDb;

  before(async () => {
    t = await createTestApp({ NATS_STREAM: stream, BUS_ACK_WAIT_MS: '1000' }, { routes: testAuth });
    call = caller(t.app);
    for (const module of MODULES) if (module.worker) stopModules.push(await module.worker(t.platform));
    stopWorker = await startWorker(t.platform);
  });

  after(async () => {
    await stopWorker?.();
    for (const stop of stopModules) await stop();
    await t?.close();
    await deleteStream(process.env.NATS_URL, stream);
  });

  const status = async (userId: string) =>
    (await db().selectFrom('auth_accounts').select('status').where('id', '=', userId).executeTakeFirst())
      ?.status;
  const profileOf = (userId: string) =>
    sql<{ display_name: string | null }>`select display_name from users_profiles where user_id = ${userId}`
      .execute(t.platform.database.db)
      .then((r) => r.rows[0]);
  const refresh = (refreshToken: string) =>
    call({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

  describe('auth guards users and couples', () => {
    it('answers a call without a token with 401 and a Bearer challenge', async () => {
      for (const url of ['/v1/users/me', '/v1/couples/me']) {
        const res = await call({ method: 'GET', url });
        assert.equal(res.statusCode, 401, url);
        assert.equal(res.json().errors[0].code, 'UNAUTHENTICATED');
        assert.equal(res.headers['www-authenticate'], 'Bearer', url);
      }
    });

    it('answers 401 with the same Bearer challenge on the guarded routes of every module (one callerOf)', async () => {
      const guarded = [
        'GET /v1/love-notes',
        'GET /v1/notifications',
        'GET /v1/users/me/consents',
        'GET /v1/admin/users',
        'GET /v1/admin/dead-letters',
        'GET /v1/admin/notifications/failures',
        'GET /v1/auth/identities',
        'POST /v1/auth/logout',
        'GET /v1/realtime/sse',
      ];
      for (const route of guarded) {
        const [method, url] = route.split(' ') as ['GET' | 'POST', string];
        const res = await call({ method, url });
        assert.equal(res.statusCode, 401, route);
        assert.equal(res.json().errors[0].code, 'UNAUTHENTICATED', route);
        assert.equal(res.headers['www-authenticate'], 'Bearer', route);
      }
    });

    it("serves a registered user's own profile through their access token", async () => {
      const user = await registerUser(call, { displayName: 'Token Tess' });
      const res = await call({ method: 'GET', url: '/v1/users/me', headers: bearer(user.accessToken) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().data.id, user.id);
      const couple = await call({ method: 'GET', url: '/v1/couples/me', headers: bearer(user.accessToken) });
      assert.equal(couple.statusCode, 404, couple.body);
    });

    it('refuses a user on an admin route with 403', async () => {
      const user = await registerUser(call);
      const res = await call({ method: 'GET', url: '/v1/admin/users', headers: bearer(user.accessToken) });
      assert.equal(res.statusCode, 403);
    });
  });

  describe('consumers', () => {
    it('creates the profile from user.registered with the display name given at sign-up', async () => {
      const user = await registerUser(call, { displayName: 'Registered Rosa' });
      const profile = await waitFor('the profile', () => profileOf(user.id));
      assert.equal(profile.display_name, 'Registered Rosa');
    });

    it('fills in the display name of a profile the first request created without one', async () => {
      const userId = newUserId();
      await ensureProfile(t.platform, userId);
      assert.equal((await profileOf(userId))?.display_name, null);
      await t.platform.database.db
        .transaction()
        .execute((trx) =>
          publish(
            trx,
            'user.registered',
            { userId, email: `${userId}@example.test`, displayName: 'Late Lena', method: 'password' },
            { actorId: userId },
          ),
        );
      await waitFor('the display name', async () => (await profileOf(userId))?.display_name === 'Late Lena');
    });

    it('ends every session on suspension and re-enables sign-in on unsuspension', async () => {
      const user = await registerUser(call);
      // Suspension works on profiles; the one user.registered creates.
      await waitFor('the profile', () => profileOf(user.id));
      const admin = as(newUserId(), 'admin');
      const suspended = await call({
        method: 'POST',
        url: `/v1/admin/users/${user.id}/suspend`,
        headers: admin,
        payload: { reason: 'wiring test' },
      });
      assert.equal(suspended.statusCode, 200, suspended.body);
      // Suspending again with no body at all (the reason is optional) is no error either.
      const bare = await call({ method: 'POST', url: `/v1/admin/users/${user.id}/suspend`, headers: admin });
      assert.equal(bare.statusCode, 200, bare.body);
      await waitFor('auth to suspend the account', async () => (await status(user.id)) === 'suspended');
      const live = await db()
        .selectFrom('auth_sessions')
        .select('id')
        .where('user_id', '=', user.id)
        .where('revoked_at', 'is', null)
        .execute();
      assert.deepEqual(live, []);
      assert.equal((await refresh(user.refreshToken)).statusCode, 401);

      const back = await call({
        method: 'POST',
        url: `/v1/admin/users/${user.id}/unsuspend`,
        headers: admin,
      });
      assert.equal(back.statusCode, 200, back.body);
      await waitFor('auth to re-enable the account', async () => (await status(user.id)) === 'active');
      const login = await call({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: user.email, password: user.password },
      });
      assert.equal(login.statusCode, 200, login.body);
    });

    it('ends every session when the user is deleted', async () => {
      const user = await registerUser(call);
      await t.platform.database.db
        .transaction()
        .execute((trx) => publish(trx, 'user.deleted', { userId: user.id }, { actorId: user.id }));
      await waitFor('auth to mark the account deleted', async () => (await status(user.id)) === 'deleted');
      assert.equal((await refresh(user.refreshToken)).statusCode, 401);
    });
  });

  describe('response cache', () => {
    it('answers GET /v1/users/me from the cache until a write changes the profile', async () => {
      const user = await registerUser(call, { displayName: 'Cached Cleo' });
      await waitFor('the profile', async () => (await profileOf(user.id))?.display_name === 'Cached Cleo');
      const me = () => call({ method: 'GET', url: '/v1/users/me', headers: bearer(user.accessToken) });
      assert.equal((await me()).statusCode, 200);
      const hit = await me();
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.equal(hit.json().data.displayName, 'Cached Cleo');

      const patched = await call({
        method: 'PATCH',
        url: '/v1/users/me',
        headers: bearer(user.accessToken),
        payload: { displayName: 'Renamed Cleo' },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const after = await me();
      assert.equal(after.headers['x-cache'], 'MISS');
      assert.equal(after.json().data.displayName, 'Renamed Cleo');
    });

    it('stops serving the cached profile once an admin suspends the account', async () => {
      const user = await registerUser(call);
      const me = () => call({ method: 'GET', url: '/v1/users/me', headers: bearer(user.accessToken) });
      assert.equal((await me()).statusCode, 200);
      assert.equal((await me()).headers['x-cache'], 'HIT');
      const suspended = await call({
        method: 'POST',
        url: `/v1/admin/users/${user.id}/suspend`,
        headers: as(newUserId(), 'admin'),
        payload: { reason: 'cache test' },
      });
      assert.equal(suspended.statusCode, 200, suspended.body);
      // The access token stays valid for its 15 minutes; the profile route itself refuses.
      assert.notEqual((await me()).statusCode, 200);
    });
  });

  describe('prune jobs', () => {
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const hash = () => randomBytes(32);

    it('drops idempotency keys older than 24 hours and keeps fresh ones', async () => {
      const scope = `prune-${randomBytes(4).toString('hex')}`;
      await sql`insert into idempotency_keys (scope, key, request_hash, created_at) values
        (${scope}, 'old', 'h', ${hoursAgo(25)}), (${scope}, 'fresh', 'h', ${hoursAgo(1)})`.execute(
        t.platform.database.db,
      );
      assert.ok((await pruneIdempotencyKeys(t.platform.database)) >= 1);
      const { rows } = await sql<{ key: string }>`
        select key from idempotency_keys where scope = ${scope}`.execute(t.platform.database.db);
      assert.deepEqual(
        rows.map((r) => r.key),
        ['fresh'],
      );
    });

    it("drops auth's spent and expired tokens, challenges, flows and refresh tokens, and keeps live ones", async () => {
      const user = await registerUser(call);
      const userId = user.id;
      const later = new Date(Date.now() + 3_600_000);
      const [expiredOtt, spentOtt, liveOtt, recentlySpentOtt] = [hash(), hash(), hash(), hash()];
      await db()
        .insertInto('auth_one_time_tokens')
        .values([
          { token_hash: expiredOtt, user_id: userId, purpose: 'reset-password', expires_at: hoursAgo(1) },
          {
            token_hash: spentOtt,
            user_id: userId,
            purpose: 'verify-email',
            expires_at: later,
            used_at: hoursAgo(25),
          },
          { token_hash: liveOtt, user_id: userId, purpose: 'reset-password', expires_at: later },
          {
            token_hash: recentlySpentOtt,
            user_id: userId,
            purpose: 'verify-email',
            expires_at: later,
            used_at: hoursAgo(1),
          },
        ])
        .execute();
      const [expiredMfa, liveMfa] = [hash(), hash()];
      await db()
        .insertInto('auth_mfa_challenges')
        .values([
          { token_hash: expiredMfa, user_id: userId, expires_at: hoursAgo(1) },
          { token_hash: liveMfa, user_id: userId, expires_at: later },
        ])
        .execute();
      const [expiredFlow, liveFlow] = [hash(), hash()];
      await db()
        .insertInto('auth_oauth_flows')
        .values([
          {
            state_hash: expiredFlow,
            provider: 'test',
            nonce: 'n',
            code_verifier: 'v',
            expires_at: hoursAgo(1),
          },
          { state_hash: liveFlow, provider: 'test', nonce: 'n', code_verifier: 'v', expires_at: later },
        ])
        .execute();
      const session = await db()
        .selectFrom('auth_sessions')
        .select('id')
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      const [expiredRefresh, spentLiveRefresh] = [hash(), hash()];
      await db()
        .insertInto('auth_refresh_tokens')
        .values([
          { token_hash: expiredRefresh, session_id: session.id, user_id: userId, expires_at: hoursAgo(1) },
          {
            token_hash: spentLiveRefresh,
            session_id: session.id,
            user_id: userId,
            expires_at: later,
            used_at: hoursAgo(2),
          },
        ])
        .execute();

      const pruned = await pruneAuth(db());
      assert.ok(pruned.oneTimeTokens >= 2 && pruned.mfaChallenges >= 1 && pruned.oauthFlows >= 1);
      assert.ok(pruned.refreshTokens >= 1);

      const present = async (
        table: 'auth_one_time_tokens' | 'auth_mfa_challenges' | 'auth_refresh_tokens',
        h: Buffer,
      ) =>
        (await db().selectFrom(table).select('user_id').where('token_hash', '=', h).executeTakeFirst()) !==
        undefined;
      assert.equal(await present('auth_one_time_tokens', expiredOtt), false);
      assert.equal(await present('auth_one_time_tokens', spentOtt), false);
      assert.equal(await present('auth_one_time_tokens', liveOtt), true);
      assert.equal(await present('auth_one_time_tokens', recentlySpentOtt), true);
      assert.equal(await present('auth_mfa_challenges', expiredMfa), false);
      assert.equal(await present('auth_mfa_challenges', liveMfa), true);
      assert.equal(await present('auth_refresh_tokens', expiredRefresh), false);
      assert.equal(await present('auth_refresh_tokens', spentLiveRefresh), true);
      const flows = await db()
        .selectFrom('auth_oauth_flows')
        .select('state_hash')
        .where('state_hash', 'in', [expiredFlow, liveFlow])
        .execute();
      assert.deepEqual(
        flows.map((f) => f.state_hash.toString('hex')),
        [liveFlow.toString('hex')],
      );
      // The user's own refresh token, still live, keeps working.
      assert.equal((await refresh(user.refreshToken)).statusCode, 200);
    });
  });
});
