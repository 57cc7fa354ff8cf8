import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  bearer,
  type Call,
  caller,
  PASSWORD,
  registerUser,
  tokenIn,
  uniqueEmail,
  waitForMail,
} from '../support/auth.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc.ts';

const PUBLIC_URL = 'http://localhost:3000';
const APP_URL = 'http://app.example.test';
const REDIRECT_URI = `${PUBLIC_URL}/v1/auth/oauth/acme/callback`;

type Cookie = { name: string; value: string };

describe('auth: OpenID Connect login against a real provider', () => {
  let op: TestOidcProvider;
  let t: TestApp;
  let call: Call;
  const logs: string[] = [];
  const secrets: string[] = [];
  before(async () => {
    op = await startOidcProvider(REDIRECT_URI);
    t = await createTestApp(
      {
        // Every request logged (debug), so every URL that held a code or a state is in the logs.
        LOG_LEVEL: 'debug',
        PUBLIC_URL,
        APP_URL,
        OAUTH_PROVIDERS: 'acme',
        OAUTH_ACME_ISSUER: op.issuer,
        OAUTH_ACME_CLIENT_ID: op.clientId,
        OAUTH_ACME_CLIENT_SECRET: op.clientSecret,
      },
      { logStream: { write: (line: string) => logs.push(line) } as unknown as NodeJS.WritableStream },
    );
    call = caller(t.app);
  });
  after(async () => {
    await t.close();
    await op.close();
  });

  const cookieOf = (res: LightMyRequestResponse, name: string) =>
    (res.cookies as Cookie[]).find((c) => c.name === name)?.value;

  /** start → provider (signs `accountId` in) → the callback URL, plus the browser's state cookie. */
  async function runToCallback(accountId: string) {
    const start = await call({ url: '/v1/auth/oauth/acme/start' });
    assert.equal(start.statusCode, 302, start.body);
    const authorization = new URL(String(start.headers.location));
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorization.searchParams.get('code_challenge'));
    assert.ok(authorization.searchParams.get('nonce'));
    const state = cookieOf(start, 'o2o_oauth_state')!;
    assert.equal(authorization.searchParams.get('state'), state);
    const callback = await op.authorize(authorization.href, accountId);
    secrets.push(callback.searchParams.get('code')!, state);
    return { callback, state };
  }

  const finish = (callback: URL, state: string | undefined) =>
    call({ url: `${callback.pathname}${callback.search}`, cookies: state ? { o2o_oauth_state: state } : {} });

  async function tokensFrom(res: LightMyRequestResponse) {
    assert.equal(res.statusCode, 302, res.body);
    assert.equal(res.headers.location, `${APP_URL}/auth/complete`);
    const refreshToken = cookieOf(res, 'o2o_refresh')!;
    const csrf = cookieOf(res, 'o2o_csrf')!;
    const refreshed = await call({
      method: 'POST',
      url: '/v1/auth/refresh',
      cookies: { o2o_refresh: refreshToken },
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    secrets.push(refreshToken, csrf, refreshed.json().data.accessToken);
    return refreshed.json().data;
  }

  it('signs a new user up through code + PKCE, with the email marked verified', async () => {
    const email = uniqueEmail('oidc');
    op.accounts.set('alice', { email, emailVerified: true, name: 'Alice' });
    const { callback, state } = await runToCallback('alice');
    const data = await tokensFrom(await finish(callback, state));
    assert.equal(data.user.email, email);
    assert.equal(data.user.displayName, 'Alice');
    assert.equal(data.user.emailVerified, true);
    const identities = await call({ url: '/v1/auth/identities', headers: bearer(data.accessToken) });
    assert.deepEqual(
      identities.json().data.map((i: { provider: string; email: string }) => [i.provider, i.email]),
      [['acme', email]],
    );
    // The same provider account signs in to the same user next time.
    const again = await runToCallback('alice');
    assert.equal((await tokensFrom(await finish(again.callback, again.state))).user.id, data.user.id);
  });

  it('links an existing, verified account by email; it can be unlinked while a password remains', async () => {
    const user = await registerUser(call);
    const token = tokenIn(await waitForMail(t.platform.config.dataDir, user.email, /Confirm your email/));
    assert.equal(
      (await call({ method: 'POST', url: '/v1/auth/email/verify', payload: { token } })).statusCode,
      200,
    );
    op.accounts.set('bob', { email: user.email, emailVerified: true });
    const { callback, state } = await runToCallback('bob');
    const data = await tokensFrom(await finish(callback, state));
    assert.equal(data.user.id, user.id);
    const identities = (await call({ url: '/v1/auth/identities', headers: bearer(data.accessToken) })).json()
      .data;
    assert.equal(identities.length, 1);
    const unlink = await call({
      method: 'DELETE',
      url: `/v1/auth/identities/${identities[0].id}`,
      headers: bearer(data.accessToken),
    });
    assert.equal(unlink.statusCode, 200);
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    assert.equal(login.statusCode, 200);
  });

  it('claiming an unverified account drops the password someone else may have set, and its sessions', async () => {
    const squatter = await registerUser(call);
    op.accounts.set('erin', { email: squatter.email, emailVerified: true });
    const { callback, state } = await runToCallback('erin');
    const data = await tokensFrom(await finish(callback, state));
    assert.equal(data.user.id, squatter.id);
    assert.equal(data.user.emailVerified, true);
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: squatter.email, password: PASSWORD },
    });
    assert.equal(login.statusCode, 401);
    const refresh = await call({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: squatter.refreshToken },
    });
    assert.equal(refresh.statusCode, 401);
    const identities = (await call({ url: '/v1/auth/identities', headers: bearer(data.accessToken) })).json()
      .data;
    const unlink = await call({
      method: 'DELETE',
      url: `/v1/auth/identities/${identities[0].id}`,
      headers: bearer(data.accessToken),
    });
    assert.equal(unlink.statusCode, 409, 'the last way in stays');
  });

  it('does not link or sign in with an email the provider has not verified', async () => {
    const user = await registerUser(call);
    op.accounts.set('mallory', { email: user.email, emailVerified: false });
    const { callback, state } = await runToCallback('mallory');
    const res = await finish(callback, state);
    assert.equal(res.statusCode, 403);
    assert.equal(cookieOf(res, 'o2o_refresh'), undefined);
    const linked = await t.platform.database.db
      .selectFrom('auth_identities')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    assert.equal(linked.length, 0);
  });

  it('refuses a callback whose state does not match the browser, or with no state cookie', async () => {
    op.accounts.set('carol', { email: uniqueEmail('carol'), emailVerified: true });
    const { callback, state } = await runToCallback('carol');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'attacker-chosen-state');
    assert.equal((await finish(forged, 'attacker-chosen-state')).statusCode, 400, 'a state we never issued');
    assert.equal((await finish(callback, undefined)).statusCode, 400, 'no state cookie');
    assert.equal((await finish(callback, `${state}x`)).statusCode, 400, 'another browser');
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    op.accounts.set('dave', { email: uniqueEmail('dave'), emailVerified: true });
    const { callback, state } = await runToCallback('dave');
    // The provider echoes the nonce it received; make ours differ, as if the token were replayed from another flow.
    await t.platform.database.db
      .updateTable('auth_oauth_flows')
      .set({ nonce: 'a-different-nonce' })
      .execute();
    const res = await finish(callback, state);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errors[0].code, 'UNAUTHENTICATED');
  });

  it('logs requests without codes, states, tokens or passwords', () => {
    const text = logs.join('');
    assert.match(text, /oauth\/acme\/callback\?code=\[redacted\]/, 'the callback was logged, redacted');
    assert.ok(secrets.length > 10);
    for (const secret of [...secrets, PASSWORD])
      assert.equal(text.includes(secret), false, `a secret leaked into the logs`);
  });

  it('answers an unknown provider with 404', async () => {
    assert.equal((await call({ url: '/v1/auth/oauth/nope/start' })).statusCode, 404);
  });
});
