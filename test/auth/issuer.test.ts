import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, caller, registerUser } from '../support/auth.ts';

// Two API processes of one deployment on one host: different ports, the same keys, no PUBLIC_URL.
let first: TestApp;
let second: TestApp;
before(async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  first = await createTestApp({ PORT: '3101', JWT_SIGNING_KEYS: keys });
  second = await createTestApp({ PORT: '3102', JWT_SIGNING_KEYS: keys }, { database: first.database });
});
after(async () => {
  await second?.close();
  await first?.close();
});

it('a token issued by one process is accepted by another on another port without PUBLIC_URL', async () => {
  const user = await registerUser(caller(first.app));
  const me = await second.app.inject({ url: '/v1/users/me', headers: bearer(user.accessToken) });
  assert.equal(me.statusCode, 200, me.body);
  assert.equal(me.json().data.id, user.id);
});
