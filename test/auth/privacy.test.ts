import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authPersonalData } from '../../src/modules/auth/personal-data.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, type Call, caller, PASSWORD, registerUser } from '../support/auth.ts';

describe('auth: personal data and account deletion', () => {
  let t: TestApp;
  let call: Call;
  before(async () => {
    t = await createTestApp();
    call = caller(t.app);
  });
  after(() => t.close());

  it('exports the account without any secret', async () => {
    const user = await registerUser(call);
    const exported = (await authPersonalData.export(t.platform, user.id)) as {
      account: { email: string };
      sessions: unknown[];
      auditLog: Array<{ action: string }>;
    };
    assert.equal(exported.account.email, user.email);
    assert.equal(exported.sessions.length, 1);
    // The terms consent and the display name are the users module's: exported in users.json, not here.
    assert.equal('termsConsents' in exported, false);
    assert.deepEqual(
      exported.auditLog.map((r) => r.action),
      ['register'],
    );
    const text = JSON.stringify(exported);
    assert.doesNotMatch(text, /argon2|password_hash|token_hash|secret/);
    assert.equal(text.includes(user.refreshToken), false);
  });

  it('confirms the password for the users module before deletion, then erases the account', async () => {
    const user = await registerUser(call);
    const wrong = await call({
      method: 'DELETE',
      url: '/v1/users/me',
      headers: bearer(user.accessToken),
      payload: { password: 'not-the-password' },
    });
    assert.equal(wrong.statusCode, 403, wrong.body);
    const ok = await call({
      method: 'DELETE',
      url: '/v1/users/me',
      headers: bearer(user.accessToken),
      payload: { password: PASSWORD },
    });
    assert.equal(ok.statusCode, 202, ok.body);
    const db = t.platform.database.db;
    const deadline = Date.now() + 10_000;
    while (
      (await db.selectFrom('auth_accounts').select('id').where('id', '=', user.id).executeTakeFirst()) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(
      await db.selectFrom('auth_accounts').select('id').where('id', '=', user.id).executeTakeFirst(),
      undefined,
    );
    assert.equal(
      (await db.selectFrom('auth_audit_log').select('id').where('user_id', '=', user.id).execute()).length,
      0,
    );
    const login = await call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    assert.equal(login.statusCode, 401);
    assert.equal(
      (await call({ url: '/v1/auth/sessions', headers: bearer(user.accessToken) })).statusCode,
      401,
    );
  });
});
