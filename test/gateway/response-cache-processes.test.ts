import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, it } from 'node:test';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, caller, registerUser } from '../support/auth.ts';

// Two API processes on one database and no Redis: each has its own in-process response cache.
let first: TestApp;
let second: TestApp;
before(async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const shared = {
    REDIS_URL: '',
    JWT_SIGNING_KEYS: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ENCRYPTION_KEYS: generateKeySpec('shared1'),
  };
  first = await createTestApp(shared);
  second = await createTestApp(shared, { database: first.database });
});
after(async () => {
  await second?.close();
  await first?.close();
});

it('without Redis, a change made through one process is not served stale by another', async () => {
  assert.equal(first.platform.responseCache.kind, 'memory');
  const user = await registerUser(caller(first.app));
  const readThroughSecond = async () =>
    (await second.app.inject({ url: '/v1/users/me', headers: bearer(user.accessToken) })).json().data;

  const before = await readThroughSecond();
  assert.equal((await readThroughSecond()).displayName, before.displayName); // now cached in the second process
  const changed = await first.app.inject({
    method: 'PATCH',
    url: '/v1/users/me',
    headers: bearer(user.accessToken),
    payload: { displayName: 'Renamed Elsewhere' },
  });
  assert.equal(changed.statusCode, 200, changed.body);

  // The route caches for 30 s; the invalidation arrives by NOTIFY in milliseconds.
  const started = Date.now();
  let seen = (await readThroughSecond()).displayName;
  while (seen !== 'Renamed Elsewhere' && Date.now() - started < 2_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    seen = (await readThroughSecond()).displayName;
  }
  assert.equal(seen, 'Renamed Elsewhere', 'the second process still served the old profile after 2 s');
});
