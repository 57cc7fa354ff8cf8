import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { authContext } from '../../src/modules/auth/context.ts';
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

describe('auth: accounts', () => {
  let t: TestApp;
  let call: Call;
  before(async () => {
    t = await createTestApp();
    call = caller(t.app);
  });
  after(() => t.close());

  const register = (payload: Record<string, unknown>) =>
    call({ method: 'POST', url: '/v1/auth/register', payload });

  it('records the terms consent where GET /v1/users/me/consents reads it, in the one terms version', async () => {
    const res = await register({
      email: uniqueEmail('cai'),
      password: PASSWORD,
      displayName: 'Cai',
      acceptTerms: true,
    });
    assert.equal(res.statusCode, 201, res.body);
    const consents = await call({
      method: 'GET',
      url: '/v1/users/me/consents',
      headers: bearer(res.json().data.accessToken),
    });
    assert.equal(consents.statusCode, 200, consents.body);
    const { current, required } = consents.json().data;
    assert.equal(required.terms, t.platform.config.auth.termsVersion);
    const terms = current.find((c: { type: string }) => c.type === 'terms');
    assert.ok(terms, 'the consent given at registration is current');
    assert.equal(terms.version, required.terms);
    assert.equal(terms.granted, true);
    // Accepting the terms again through the consents API takes the same version, not another one.
    const again = await call({
      method: 'POST',
      url: '/v1/users/me/consents',
      headers: bearer(res.json().data.accessToken),
      payload: { type: 'terms', version: t.platform.config.auth.termsVersion, granted: true },
    });
    assert.equal(again.statusCode, 201, again.body);
  });

  it('answers login and refresh with the display name the profile holds now', async () => {
    const email = uniqueEmail('dee');
    const res = await register({ email, password: PASSWORD, displayName: 'Dee', acceptTerms: true });
    assert.equal(res.statusCode, 201, res.body);
    const { accessToken, refreshToken } = res.json().data;
    const renamed = await call({
      method: 'PATCH',
      url: '/v1/users/me',
      headers: bearer(accessToken),
      payload: { displayName: 'Deirdre' },
    });
    assert.equal(renamed.statusCode, 200, renamed.body);
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password: PASSWORD },
    });
    assert.equal(login.statusCode, 200, login.body);
    assert.equal(login.json().data.user.displayName, 'Deirdre');
    const refreshed = await call({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal(refreshed.json().data.user.displayName, 'Deirdre');
  });

  it('registers with a normalised email, signs in, records consent and publishes user.registered', async () => {
    const email = uniqueEmail('ana');
    const res = await register({
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
      displayName: 'Ana',
      acceptTerms: true,
    });
    assert.equal(res.statusCode, 201, res.body);
    const data = res.json().data;
    assert.deepEqual(Object.keys(data).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'user']);
    assert.deepEqual(
      { ...data.user, id: undefined },
      { id: undefined, email, displayName: 'Ana', role: 'user', emailVerified: false },
    );
    assert.equal(data.expiresIn, 900);
    const db = t.platform.database.db;
    const events = await db
      .selectFrom('outbox_events')
      .select(['type', 'data'])
      .where('actor_id', '=', data.user.id)
      .execute();
    assert.deepEqual(
      events.map((e: { type: string }) => e.type),
      ['user.registered'],
    );
  });

  it('answers bad registrations with a 400 naming the field, and never applies role or emailVerified', async () => {
    const base = { email: uniqueEmail(), password: PASSWORD, displayName: 'Bo', acceptTerms: true };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, role: 'admin' }, 'role'],
      [{ ...base, emailVerified: true }, 'emailVerified'],
      [{ ...base, password: 'too short' }, 'password'],
      [{ ...base, password: 'qwerty123456' }, 'password'],
      [{ ...base, password: `${base.email.split('@')[0]}-and-more` }, 'password'],
      [{ ...base, email: 'not-an-email' }, 'email'],
      [{ ...base, acceptTerms: false }, 'acceptTerms'],
      [{ ...base, displayName: undefined }, 'displayName'],
    ];
    for (const [payload, field] of cases) {
      const res = await register(payload);
      assert.equal(res.statusCode, 400, `${field}: ${res.body}`);
      const body = res.json();
      assert.equal(body.errors[0].code, 'VALIDATION_ERROR');
      assert.equal(body.errors[0].field, field);
    }
    const accounts = await t.platform.database.db
      .selectFrom('auth_accounts')
      .select('id')
      .where('email', '=', base.email)
      .execute();
    assert.equal(accounts.length, 0);
  });

  it('refuses a second account for the same email and tells the owner by mail', async () => {
    const user = await registerUser(call);
    const res = await register({
      email: user.email,
      password: 'another-fine-passphrase',
      displayName: 'X',
      acceptTerms: true,
    });
    assert.equal(res.statusCode, 409);
    await waitForMail(t.platform.config.dataDir, user.email, /tried to sign up/);
  });

  it('logs in, and answers a wrong password and an unknown email identically', async () => {
    const user = await registerUser(call);
    const ok = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email.toUpperCase(), password: PASSWORD },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().data.user.id, user.id);
    const wrong = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'wrong-password-123' },
    });
    const unknown = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: uniqueEmail(), password: 'wrong-password-123' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, wrong.statusCode);
    assert.deepEqual(unknown.json().errors, wrong.json().errors);
  });

  it('answers forgot-password identically for known and unknown emails, and the link resets the password', async () => {
    const user = await registerUser(call);
    const other = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    const known = await call({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: user.email },
    });
    const unknown = await call({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      payload: { email: uniqueEmail() },
    });
    assert.equal(known.statusCode, 202);
    assert.equal(unknown.statusCode, known.statusCode);
    assert.deepEqual(unknown.json().data, known.json().data);

    const token = tokenIn(await waitForMail(t.platform.config.dataDir, user.email, /Reset your password/));
    const weak = await call({
      method: 'POST',
      url: '/v1/auth/password/reset',
      payload: { token, password: 'qwerty123456' },
    });
    assert.equal(weak.statusCode, 400, 'a refused password does not spend the link');
    const reset = await call({
      method: 'POST',
      url: '/v1/auth/password/reset',
      payload: { token, password: 'a-brand-new-passphrase' },
    });
    assert.equal(reset.statusCode, 200);
    const again = await call({
      method: 'POST',
      url: '/v1/auth/password/reset',
      payload: { token, password: 'yet-another-passphrase' },
    });
    assert.equal(again.statusCode, 400, 'the link works once');

    // Every session ended: the old refresh tokens and the sensitive routes refuse.
    for (const refreshToken of [user.refreshToken, other.json().data.refreshToken]) {
      const res = await call({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
      assert.equal(res.statusCode, 401);
    }
    const sessions = await call({ url: '/v1/auth/sessions', headers: bearer(user.accessToken) });
    assert.equal(sessions.statusCode, 401);
    const oldPassword = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    assert.equal(oldPassword.statusCode, 401);
    const newPassword = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'a-brand-new-passphrase' },
    });
    assert.equal(newPassword.statusCode, 200);
    const types = await t.platform.database.db
      .selectFrom('outbox_events')
      .select('type')
      .where('actor_id', '=', user.id)
      .execute();
    assert.ok(types.some((e: { type: string }) => e.type === 'user.password-changed'));
  });

  it('verifies the email with the mailed token, once', async () => {
    const user = await registerUser(call);
    const token = tokenIn(await waitForMail(t.platform.config.dataDir, user.email, /Confirm your email/));
    const first = await call({ method: 'POST', url: '/v1/auth/email/verify', payload: { token } });
    assert.equal(first.statusCode, 200);
    const second = await call({ method: 'POST', url: '/v1/auth/email/verify', payload: { token } });
    assert.equal(second.statusCode, 400);
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    assert.equal(login.json().data.user.emailVerified, true);
    const resend = await call({
      method: 'POST',
      url: '/v1/auth/email/resend',
      headers: bearer(user.accessToken),
    });
    assert.equal(resend.statusCode, 409);
  });

  it('changes the password with the current one and ends the other sessions', async () => {
    const user = await registerUser(call);
    const other = (
      await call({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: user.email, password: PASSWORD },
      })
    ).json().data;
    const wrong = await call({
      method: 'POST',
      url: '/v1/auth/password/change',
      headers: bearer(user.accessToken),
      payload: { currentPassword: 'not-the-password', newPassword: 'a-changed-passphrase' },
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().errors[0].field, 'currentPassword');
    const changed = await call({
      method: 'POST',
      url: '/v1/auth/password/change',
      headers: bearer(user.accessToken),
      payload: { currentPassword: PASSWORD, newPassword: 'a-changed-passphrase' },
    });
    assert.equal(changed.statusCode, 200);
    assert.equal(
      (await call({ url: '/v1/auth/sessions', headers: bearer(user.accessToken) })).statusCode,
      200,
    );
    assert.equal(
      (await call({ url: '/v1/auth/sessions', headers: bearer(other.accessToken) })).statusCode,
      401,
    );
  });

  it('serves the JWKS and refuses an invalid bearer token with 401 in the envelope', async () => {
    const jwks = await call({ url: '/.well-known/jwks.json' });
    assert.equal(jwks.statusCode, 200);
    const key = jwks.json().keys[0];
    assert.equal(key.alg, 'ES256');
    assert.equal(key.d, undefined);
    const res = await call({ url: '/v1/auth/sessions', headers: bearer('not.a.jwt') });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errors[0].code, 'UNAUTHENTICATED');
    assert.match(String(res.headers['www-authenticate']), /invalid_token/);
    const none = await call({ url: '/v1/auth/sessions' });
    assert.equal(none.statusCode, 401);
  });

  it('refuses an access token issued in the future beyond the clock skew', async () => {
    const user = await registerUser(call);
    const { keys } = await authContext(t.platform, console);
    const claims = decodeJwt(user.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const resigned = (iat: number) =>
      new SignJWT({ ...claims, iat, exp: iat + 900 })
        .setProtectedHeader({ alg: keys.signing.alg, kid: keys.signing.kid, typ: 'at+jwt' })
        .sign(keys.signing.privateKey);
    const future = await call({ url: '/v1/auth/sessions', headers: bearer(await resigned(now + 3600)) });
    assert.equal(future.statusCode, 401, future.body);
    assert.equal(future.json().errors[0].code, 'UNAUTHENTICATED');
    const withinSkew = await call({ url: '/v1/auth/sessions', headers: bearer(await resigned(now + 2)) });
    assert.equal(withinSkew.statusCode, 200, withinSkew.body);
  });

  it('lets only admins read the audit log, which holds no secrets', async () => {
    const user = await registerUser(call);
    await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'wrong-password-123' },
    });
    const denied = await call({ url: '/v1/auth/audit-log', headers: bearer(user.accessToken) });
    assert.equal(denied.statusCode, 403);
    const admin = await registerUser(call);
    await t.platform.database.db
      .updateTable('auth_accounts')
      .set({ role: 'admin' })
      .where('id', '=', admin.id)
      .execute();
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: admin.email, password: PASSWORD },
    });
    const res = await call({
      url: `/v1/auth/audit-log?userId=${user.id}&limit=10`,
      headers: bearer(login.json().data.accessToken),
    });
    assert.equal(res.statusCode, 200);
    const actions = res
      .json()
      .data.map((r: { action: string; outcome: string }) => `${r.action}:${r.outcome}`);
    assert.deepEqual(actions, ['login:failure', 'register:success']);
    assert.doesNotMatch(res.body, /wrong-password|violet-harbor/);
    const badCursor = await call({
      url: '/v1/auth/audit-log?cursor=eyJpZCI6IngifQ',
      headers: bearer(login.json().data.accessToken),
    });
    assert.equal(badCursor.statusCode, 400);
  });
});
