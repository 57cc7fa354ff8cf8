import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret } from 'otpauth';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  bearer,
  type Call,
  caller,
  PASSWORD,
  registerUser,
  type SignedIn,
  waitForMail,
} from '../support/auth.ts';
import { referenceTotp } from '../support/totp.ts';

describe('auth: TOTP MFA', () => {
  let t: TestApp;
  let call: Call;
  let user: SignedIn;
  let key: Buffer;
  let recoveryCodes: string[];
  before(async () => {
    t = await createTestApp();
    call = caller(t.app);
    user = await registerUser(call);
  });
  after(() => t.close());

  /** A code computed by the independent implementation, `steps` periods from now. */
  const code = (steps = 0) => referenceTotp(key, Date.now() / 1000 + steps * 30);
  const post = (url: string, payload?: Record<string, unknown>, token = user.accessToken) =>
    call({ method: 'POST', url, payload, headers: bearer(token) });
  const startLogin = async () => {
    const res = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200);
    const data = res.json().data;
    assert.equal(data.mfaRequired, true);
    assert.equal(data.accessToken, undefined);
    return data.mfaToken as string;
  };
  const challenge = (mfaToken: string, answer: { code?: string; recoveryCode?: string }) =>
    call({ method: 'POST', url: '/v1/auth/mfa/challenge', payload: { mfaToken, ...answer } });

  it('sets up TOTP with a base32 secret, an otpauth URL and a QR code, and enables it with a real code', async () => {
    const setup = await post('/v1/auth/mfa/totp/setup');
    assert.equal(setup.statusCode, 200);
    const { secret, otpauthUrl, qrCode } = setup.json().data;
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.match(otpauthUrl, /^otpauth:\/\/totp\/.*secret=/);
    assert.match(qrCode, /^data:image\/png;base64,/);
    key = Buffer.from(Secret.fromBase32(secret).bytes);

    const stored = await t.platform.database.db
      .selectFrom('auth_mfa_totp')
      .select('secret')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    assert.doesNotMatch(stored.secret, new RegExp(secret), 'the secret is encrypted at rest');

    const wrong = await post('/v1/auth/mfa/totp/enable', { code: code() === '000000' ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 400);
    const enabled = await post('/v1/auth/mfa/totp/enable', { code: code() });
    assert.equal(enabled.statusCode, 200, enabled.body);
    recoveryCodes = enabled.json().data.recoveryCodes;
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    await waitForMail(t.platform.config.dataDir, user.email, /Two-step verification is on/);
    const events = await t.platform.database.db
      .selectFrom('outbox_events')
      .select('type')
      .where('actor_id', '=', user.id)
      .execute();
    assert.ok(events.some((e: { type: string }) => e.type === 'user.mfa-enabled'));
  });

  it('asks for a second factor at login; a code works once and the next step is accepted', async () => {
    const mfaToken = await startLogin();
    const replay = await challenge(mfaToken, { code: code() });
    assert.equal(replay.statusCode, 401, 'the code used to enable is spent');
    const next = await challenge(mfaToken, { code: code(1) });
    assert.equal(next.statusCode, 200, next.body);
    assert.ok(next.json().data.accessToken);
    assert.equal((await challenge(mfaToken, { code: code(1) })).statusCode, 401, 'the challenge is used up');
    const again = await challenge(await startLogin(), { code: code(1) });
    assert.equal(again.statusCode, 401, 'the same code is refused inside its window');
  });

  it('accepts each recovery code once', async () => {
    const first = await challenge(await startLogin(), { recoveryCode: recoveryCodes[0]!.toUpperCase() });
    assert.equal(first.statusCode, 200);
    const second = await challenge(await startLogin(), { recoveryCode: recoveryCodes[0]! });
    assert.equal(second.statusCode, 401);
  });

  it('allows at most 5 wrong answers per challenge, however concurrent', async () => {
    const sequential = await startLogin();
    for (let i = 0; i < 5; i++)
      assert.equal((await challenge(sequential, { code: '000000' })).statusCode, 401);
    assert.equal(
      (await challenge(sequential, { recoveryCode: recoveryCodes[1]! })).statusCode,
      401,
      'budget spent',
    );

    const burst = await startLogin();
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) => challenge(burst, { code: String(100000 + i) })),
    );
    assert.ok(answers.every((res) => res.statusCode === 401));
    const row = await t.platform.database.db
      .selectFrom('auth_mfa_challenges')
      .select('attempts')
      .where('user_id', '=', user.id)
      .orderBy('expires_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(row.attempts, 5);
    assert.equal((await challenge(burst, { recoveryCode: recoveryCodes[1]! })).statusCode, 401);
  });

  it('needs a recent password proof to regenerate recovery codes', async () => {
    await t.platform.database.db
      .updateTable('auth_sessions')
      .set({ authenticated_at: new Date(Date.now() - 11 * 60_000) })
      .where('user_id', '=', user.id)
      .execute();
    const stale = await post('/v1/auth/mfa/recovery-codes');
    assert.equal(stale.statusCode, 401);
    assert.equal((await post('/v1/auth/reauthenticate', { password: 'wrong-password-123' })).statusCode, 400);
    assert.equal((await post('/v1/auth/reauthenticate', { password: PASSWORD })).statusCode, 200);
    const fresh = await post('/v1/auth/mfa/recovery-codes');
    assert.equal(fresh.statusCode, 200);
    const codes: string[] = fresh.json().data.recoveryCodes;
    assert.equal(
      (await challenge(await startLogin(), { recoveryCode: recoveryCodes[2]! })).statusCode,
      401,
      'old codes are void',
    );
    assert.equal((await challenge(await startLogin(), { recoveryCode: codes[0]! })).statusCode, 200);
  });

  it('turns MFA off with the password, after which login needs the password only', async () => {
    assert.equal(
      (await post('/v1/auth/mfa/totp/disable', { code: '000000', password: PASSWORD })).statusCode,
      400,
    );
    const off = await post('/v1/auth/mfa/totp/disable', { password: PASSWORD });
    assert.equal(off.statusCode, 200);
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    assert.ok(login.json().data.accessToken);
    await waitForMail(t.platform.config.dataDir, user.email, /turned off/);
  });
});
