import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type Call, caller, PASSWORD, registerUser, uniqueEmail } from '../support/auth.ts';
import { needs } from '../support/servers.ts';

const login = (call: Call, email: string, password: string) =>
  call({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

describe('auth: failed-login throttling', needs('REDIS_URL'), () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('delays an account after repeated failures, even for the right password, and a success resets it', async () => {
    const call = caller(t.app);
    const user = await registerUser(call);
    for (let i = 0; i < 3; i++)
      assert.equal((await login(call, user.email, 'wrong-password-123')).statusCode, 401);
    const blocked = await login(caller(t.app), user.email, PASSWORD);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().errors[0].code, 'RATE_LIMITED');
    assert.ok(Number(blocked.headers['retry-after']) >= 1);
    assert.match(String(blocked.headers.ratelimit), /r=0;t=\d+/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await login(call, user.email, PASSWORD)).statusCode, 200);
    assert.equal(
      (await login(call, user.email, 'wrong-password-123')).statusCode,
      401,
      'the count started over',
    );
  });

  it('throttles one IP guessing across many accounts', async () => {
    const call = caller(t.app);
    for (let i = 0; i < 20; i++)
      assert.equal((await login(call, uniqueEmail(), 'wrong-password-123')).statusCode, 401);
    const res = await login(call, uniqueEmail(), 'wrong-password-123');
    assert.equal(res.statusCode, 429);
    // Another address is not affected.
    assert.equal((await login(caller(t.app), uniqueEmail(), 'wrong-password-123')).statusCode, 401);
  });
});

describe('auth: throttle store unreachable', () => {
  let t: TestApp;
  before(async () => {
    // Nothing listens on port 1: the counters cannot be read or written.
    t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(() => t.close());

  it('fails closed: login answers 503 instead of allowing unlimited guesses', async () => {
    const res = await caller(t.app)({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: uniqueEmail(), password: PASSWORD },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.ok(res.headers['retry-after']);
  });
});

describe('auth: sign-up and sign-in limits say which setting relaxes them', () => {
  const register = (call: Call) =>
    call({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: uniqueEmail(), password: PASSWORD, displayName: 'Dev', acceptTerms: true },
    });

  it('keeps the defaults: the sixth sign-up from one address in an hour is refused by the gateway', async () => {
    const t = await createTestApp({ RATE_LIMIT_ENABLED: 'true' });
    try {
      const call = caller(t.app);
      for (let i = 0; i < 5; i++) assert.equal((await register(call)).statusCode, 201);
      const refused = await register(call);
      assert.equal(refused.statusCode, 429);
      assert.match(refused.json().errors[0].message, /register-ip.*RATE_LIMIT_ENABLED=false/);
    } finally {
      await t.close();
    }
  });

  it("names AUTH_REGISTRATIONS_PER_IP_PER_HOUR and AUTH_LOGIN_THROTTLE in the auth module's own 429s", async () => {
    const t = await createTestApp({ AUTH_REGISTRATIONS_PER_IP_PER_HOUR: '2' });
    try {
      const call = caller(t.app);
      for (let i = 0; i < 2; i++) assert.equal((await register(call)).statusCode, 201);
      const refused = await register(call);
      assert.equal(refused.statusCode, 429);
      assert.match(refused.json().errors[0].message, /2 per hour; AUTH_REGISTRATIONS_PER_IP_PER_HOUR/);
      const user = await registerUser(caller(t.app));
      for (let i = 0; i < 3; i++) await login(call, user.email, 'wrong-password-123');
      const blocked = await login(call, user.email, PASSWORD);
      assert.equal(blocked.statusCode, 429);
      assert.match(blocked.json().errors[0].message, /AUTH_LOGIN_THROTTLE=false/);
    } finally {
      await t.close();
    }
  });

  it('relaxes both for local development: no sign-up limit, no failed-login lock', async () => {
    const t = await createTestApp({ AUTH_REGISTRATIONS_PER_IP_PER_HOUR: '0', AUTH_LOGIN_THROTTLE: 'false' });
    try {
      const call = caller(t.app);
      for (let i = 0; i < 22; i++) assert.equal((await register(call)).statusCode, 201, `sign-up ${i + 1}`);
      const user = await registerUser(call);
      for (let i = 0; i < 12; i++) {
        assert.equal((await login(call, user.email, 'wrong-password-123')).statusCode, 401);
      }
      assert.equal((await login(call, user.email, PASSWORD)).statusCode, 200);
    } finally {
      await t.close();
    }
  });
});
