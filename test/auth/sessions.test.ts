import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authContext } from '../../src/modules/auth/context.ts';
import { tokenHash } from '../../src/modules/auth/crypto.ts';
import { authService } from '../../src/modules/auth/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, type Call, caller, PASSWORD, registerUser, uniqueEmail } from '../support/auth.ts';
import { needs } from '../support/servers.ts';

for (const store of ['postgres', 'redis'] as const) {
  describe(
    `auth: sessions and refresh tokens (${store} store)`,
    store === 'redis' ? needs('REDIS_URL') : {},
    () => {
      let t: TestApp;
      let call: Call;
      before(async () => {
        t = await createTestApp({ AUTH_REFRESH_STORE: store });
        call = caller(t.app);
      });
      after(() => t.close());

      /** Rewrites a stored refresh token's spend or expiry time, wherever the store keeps it. */
      async function backdate(token: string, field: 'usedAt' | 'expiresAt', at: Date) {
        const hash = tokenHash(token);
        if (store === 'redis') {
          const ctx = await authContext(t.platform, console);
          assert.ok(ctx.redisTokens, 'the Redis store is in use');
          return ctx.redisTokens.patch(token, { [field]: at.getTime() });
        }
        await db()
          .updateTable('auth_refresh_tokens')
          .set(field === 'usedAt' ? { used_at: at } : { expires_at: at })
          .where('token_hash', '=', hash)
          .execute();
      }

      const refresh = (refreshToken: string) =>
        call({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
      const db = () => t.platform.database.db;

      it('rotates the refresh token on every use and refuses the spent one after the grace window', async () => {
        const user = await registerUser(call);
        const first = await refresh(user.refreshToken);
        assert.equal(first.statusCode, 200);
        const next = first.json().data;
        assert.notEqual(next.refreshToken, user.refreshToken);
        assert.equal(
          (await call({ url: '/v1/auth/sessions', headers: bearer(next.accessToken) })).statusCode,
          200,
        );

        // Step past the 10 s window by moving the spend time back, then replay the spent token.
        await backdate(user.refreshToken, 'usedAt', new Date(Date.now() - 11_000));
        const replay = await refresh(user.refreshToken);
        assert.equal(replay.statusCode, 401);
        // The whole family is gone, the newest token included.
        assert.equal((await refresh(next.refreshToken)).statusCode, 401);
        assert.equal(
          (await call({ url: '/v1/auth/sessions', headers: bearer(next.accessToken) })).statusCode,
          401,
        );
        const events = await db()
          .selectFrom('outbox_events')
          .select(['type', 'data'])
          .where('actor_id', '=', user.id)
          .execute();
        const reuse = events.find((e: { type: string }) => e.type === 'auth.refresh-reuse-detected');
        assert.ok(reuse, 'auth.refresh-reuse-detected is published');
        assert.equal(reuse.data.userId, user.id);
      });

      it('gives two refreshes racing with the same token the same new pair', async () => {
        const user = await registerUser(call);
        const [a, b] = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
        assert.equal(a.statusCode, 200);
        assert.equal(b.statusCode, 200);
        assert.equal(a.json().data.refreshToken, b.json().data.refreshToken);
        assert.equal(a.json().data.accessToken, b.json().data.accessToken);
        // Still inside the window: a third tab gets the same pair too, and the session lives on.
        const c = await refresh(user.refreshToken);
        assert.equal(c.json().data.refreshToken, a.json().data.refreshToken);
        assert.equal((await refresh(a.json().data.refreshToken)).statusCode, 200);
      });

      it('refuses unknown, malformed and expired refresh tokens', async () => {
        const user = await registerUser(call);
        assert.equal((await refresh('x'.repeat(43))).statusCode, 401);
        const empty = await call({ method: 'POST', url: '/v1/auth/refresh', payload: {} });
        assert.equal(empty.statusCode, 401);
        await backdate(user.refreshToken, 'expiresAt', new Date(Date.now() - 1000));
        assert.equal((await refresh(user.refreshToken)).statusCode, 401);
      });

      it('ends a session after its idle timeout', async () => {
        const user = await registerUser(call);
        await db()
          .updateTable('auth_sessions')
          .set({
            last_used_at: new Date(Date.now() - (t.platform.config.auth.sessionIdleSeconds + 5) * 1000),
          })
          .where('user_id', '=', user.id)
          .execute();
        assert.equal((await refresh(user.refreshToken)).statusCode, 401);
        assert.equal(
          (await call({ url: '/v1/auth/sessions', headers: bearer(user.accessToken) })).statusCode,
          401,
        );
      });

      it('lists sessions, ends one, logs out and logs out everywhere', async () => {
        const user = await registerUser(call);
        const login = () =>
          call({
            method: 'POST',
            url: '/v1/auth/login',
            payload: { email: user.email, password: PASSWORD },
            headers: { 'user-agent': 'PhoneApp/2.0' },
          });
        const phone = (await login()).json().data;
        const tablet = (await login()).json().data;
        const list = await call({ url: '/v1/auth/sessions', headers: bearer(user.accessToken) });
        assert.equal(list.statusCode, 200);
        const sessions = list.json().data;
        assert.equal(sessions.length, 3);
        assert.equal(sessions.filter((s: { current: boolean }) => s.current).length, 1);
        assert.ok(sessions.some((s: { userAgent: string }) => s.userAgent === 'PhoneApp/2.0'));
        const first = await call({ url: '/v1/auth/sessions?limit=2', headers: bearer(user.accessToken) });
        assert.equal(first.json().data.length, 2);
        const cursor = first.json().meta.nextCursor;
        assert.ok(cursor);
        const second = await call({
          url: `/v1/auth/sessions?limit=2&cursor=${cursor}`,
          headers: bearer(user.accessToken),
        });
        assert.equal(second.json().data.length, 1);
        assert.equal(second.json().meta.nextCursor, null);
        const bad = await call({
          url: '/v1/auth/sessions?cursor=eyJpZCI6IngifQ',
          headers: bearer(user.accessToken),
        });
        assert.equal(bad.statusCode, 400);

        // Both devices say PhoneApp/2.0: the phone's session is the one its token names.
        const phoneSid = JSON.parse(Buffer.from(phone.accessToken.split('.')[1], 'base64url').toString()).sid;
        const phoneSession = sessions.find(
          (s: { id: string; current: boolean; userAgent: string }) =>
            !s.current && s.userAgent === 'PhoneApp/2.0' && s.id === phoneSid,
        );
        const removed = await call({
          method: 'DELETE',
          url: `/v1/auth/sessions/${phoneSession.id}`,
          headers: bearer(user.accessToken),
        });
        assert.equal(removed.statusCode, 200);
        const missing = await call({
          method: 'DELETE',
          url: `/v1/auth/sessions/${phoneSession.id}`,
          headers: bearer(user.accessToken),
        });
        assert.equal(missing.statusCode, 404);
        // The ended session's unexpired access token is refused at once, on any route.
        const ended = await call({ url: '/v1/notifications', headers: bearer(phone.accessToken) });
        assert.equal(ended.statusCode, 401);
        assert.equal(ended.json().errors[0].code, 'TOKEN_REVOKED');
        assert.equal(
          (await call({ url: '/v1/auth/sessions', headers: bearer(user.accessToken) })).json().data.length,
          2,
        );

        const logout = await call({
          method: 'POST',
          url: '/v1/auth/logout',
          headers: bearer(tablet.accessToken),
        });
        assert.equal(logout.statusCode, 200);
        assert.equal((await refresh(tablet.refreshToken)).statusCode, 401);
        assert.equal(
          (await call({ url: '/v1/auth/sessions', headers: bearer(tablet.accessToken) })).statusCode,
          401,
        );

        const fresh = (await login()).json().data;
        const all = await call({
          method: 'POST',
          url: '/v1/auth/logout-all',
          headers: bearer(user.accessToken),
        });
        assert.equal(all.statusCode, 200);
        for (const token of [user.refreshToken, fresh.refreshToken, phone.refreshToken]) {
          assert.equal((await refresh(token)).statusCode, 401);
        }
        assert.equal(
          (await call({ url: '/v1/auth/sessions', headers: bearer(fresh.accessToken) })).statusCode,
          401,
        );
      });

      it('refuses a suspended or deleted user on sensitive routes at once, with a still-valid access token', async () => {
        const service = authService(t.platform);
        for (const status of ['suspended', 'deleted'] as const) {
          const user = await registerUser(call);
          await service.setStatus(user.id, status, null);
          const res = await call({ url: '/v1/auth/sessions', headers: bearer(user.accessToken) });
          assert.equal(res.statusCode, 401, status);
          assert.equal((await refresh(user.refreshToken)).statusCode, 401);
          const login = await call({
            method: 'POST',
            url: '/v1/auth/login',
            payload: { email: user.email, password: PASSWORD },
          });
          assert.equal(login.statusCode, status === 'suspended' ? 403 : 401);
        }
      });

      it('cookie mode: the refresh token lives in an httpOnly cookie and refreshing with it needs the CSRF header', async () => {
        const email = uniqueEmail();
        const res = await call({
          method: 'POST',
          url: '/v1/auth/register',
          headers: { 'x-auth-transport': 'cookie' },
          payload: { email, password: PASSWORD, displayName: 'Web', acceptTerms: true },
        });
        assert.equal(res.statusCode, 201);
        const data = res.json().data;
        assert.equal(data.refreshToken, undefined, 'no refresh token in the body');
        const cookies = res.cookies as Array<{
          name: string;
          value: string;
          httpOnly?: boolean;
          secure?: boolean;
          sameSite?: string;
          path?: string;
        }>;
        const refreshCookie = cookies.find((c) => c.name === 'o2o_refresh')!;
        const csrfCookie = cookies.find((c) => c.name === 'o2o_csrf')!;
        assert.equal(refreshCookie.httpOnly, true);
        assert.equal(refreshCookie.secure, true);
        assert.equal(refreshCookie.sameSite, 'Lax');
        assert.equal(refreshCookie.path, '/v1/auth/refresh');
        assert.equal(csrfCookie.value, data.csrfToken);

        const withoutCsrf = await call({
          method: 'POST',
          url: '/v1/auth/refresh',
          cookies: { o2o_refresh: refreshCookie.value },
        });
        assert.equal(withoutCsrf.statusCode, 403);
        const wrongCsrf = await call({
          method: 'POST',
          url: '/v1/auth/refresh',
          cookies: { o2o_refresh: refreshCookie.value },
          headers: { 'x-csrf-token': 'forged' },
        });
        assert.equal(wrongCsrf.statusCode, 403);
        const ok = await call({
          method: 'POST',
          url: '/v1/auth/refresh',
          cookies: { o2o_refresh: refreshCookie.value },
          headers: { 'x-csrf-token': data.csrfToken, 'x-auth-transport': 'cookie' },
        });
        assert.equal(ok.statusCode, 200);
        const rotated = (ok.cookies as Array<{ name: string; value: string }>).find(
          (c) => c.name === 'o2o_refresh',
        );
        assert.ok(rotated && rotated.value !== refreshCookie.value);
        assert.equal(ok.json().data.refreshToken, undefined);
      });

      it('cookie mode: a refresh that came by cookie answers by cookie even without X-Auth-Transport', async () => {
        const res = await call({
          method: 'POST',
          url: '/v1/auth/register',
          headers: { 'x-auth-transport': 'cookie' },
          payload: { email: uniqueEmail(), password: PASSWORD, displayName: 'Web', acceptTerms: true },
        });
        const cookieNamed = (r: typeof res, name: string) =>
          (r.cookies as Array<{ name: string; value: string }>).find((c) => c.name === name);
        const spent = cookieNamed(res, 'o2o_refresh')!.value;
        const refreshed = await call({
          method: 'POST',
          url: '/v1/auth/refresh',
          cookies: { o2o_refresh: spent },
          headers: { 'x-csrf-token': res.json().data.csrfToken },
        });
        assert.equal(refreshed.statusCode, 200);
        const data = refreshed.json().data;
        assert.equal(data.refreshToken, undefined, 'the refresh token never travels in the body');
        const rotated = cookieNamed(refreshed, 'o2o_refresh');
        assert.ok(rotated && rotated.value !== spent, 'the rotated token is set as a cookie');
        assert.equal(cookieNamed(refreshed, 'o2o_csrf')?.value, data.csrfToken);

        // The rotated cookie works for the next refresh, again without the header.
        const again = await call({
          method: 'POST',
          url: '/v1/auth/refresh',
          cookies: { o2o_refresh: rotated.value },
          headers: { 'x-csrf-token': data.csrfToken },
        });
        assert.equal(again.statusCode, 200);
        assert.equal(again.json().data.refreshToken, undefined);
      });
    },
  );
}
