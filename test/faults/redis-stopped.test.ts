import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { metricValue } from '../gateway/support.ts';
import { caller, PASSWORD, registerUser } from '../support/auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { makeCouple, type Pair } from '../support/love-notes.ts';
import { as, eventually } from '../support/test-auth.ts';
import { type Running, startApi } from './harness.ts';
import { needsBinary, type OwnServer, startRedis } from './servers.ts';

const PER_IP = 30;

/**
 * Redis killed (SIGKILL) under a running API and worker, then started again
 * (empty: this Redis keeps nothing on disk). What each Redis user promises
 * (docs/gateway.md, docs/auth.md) is checked while it is down and after it
 * is back, without restarting the app.
 */
describe('fault: Redis stopped', needsBinary('redis'), () => {
  let redis: OwnServer;
  let testDb: TestDatabase;
  let api: Running;
  let pair: Pair;
  let email: string;

  before(async () => {
    redis = await startRedis();
    testDb = await createTestDatabase();
    api = await startApi(testDb.url, {
      REDIS_URL: redis.url,
      NATS_URL: '',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_PER_IP_PER_MINUTE: String(PER_IP),
      // Only the per-IP level is under test: one user makes all the requests.
      RATE_LIMIT_PER_USER_PER_MINUTE: '10000',
      GATEWAY_REDIS_PREFIX: `o2o:fault:${randomUUID()}:`,
    });
    pair = await makeCouple(api.asTestApp);
    email = (await registerUser(caller(api.app))).email;
  });
  after(async () => {
    await api?.close();
    await testDb?.drop();
    await redis?.destroy();
  });

  let ipCount = 0;
  /** A fresh client address, so each step has its own per-IP budget. */
  const freshIp = () => `10.77.${Math.floor(++ipCount / 250)}.${(ipCount % 250) + 1}`;
  const login = (ip = freshIp()) =>
    api.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      remoteAddress: ip,
      payload: { email, password: PASSWORD },
    });
  const inbox = async (ip: string) => {
    const res = await api.app.inject({
      url: '/v1/love-notes?box=inbox',
      headers: as(pair.b),
      remoteAddress: ip,
    });
    assert.equal(res.statusCode, 200, res.body);
    return {
      cache: res.headers['x-cache'],
      ids: (res.json().data as Array<{ id: string }>).map((n) => n.id),
    };
  };
  const send = async (body: string) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: { ...as(pair.a), 'idempotency-key': randomUUID() },
      remoteAddress: freshIp(),
      payload: { body },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data.id as string;
  };
  /** PER_IP + 1 requests from one new address: the statuses it got. */
  const exhaust = async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i <= PER_IP; i++) {
      statuses.push(
        (await api.app.inject({ url: '/v1/love-notes?box=sent', headers: as(pair.a), remoteAddress: ip }))
          .statusCode,
      );
    }
    return statuses;
  };
  const limitedAfter = [...Array(PER_IP).fill(200), 429];

  it('degrades limits to per-process, fails sign-in closed, bypasses the cache, and recovers by itself', async () => {
    const ids = [await send('before the outage')];
    const readerIp = freshIp();
    await inbox(readerIp);
    assert.equal((await inbox(readerIp)).cache, 'HIT', 'the inbox is cached in Redis');
    const signedIn = await login();
    assert.equal(signedIn.statusCode, 200);
    assert.deepEqual(await exhaust(), limitedAfter);
    assert.equal(await metricValue(api.app, 'rate_limit_redis_available'), 1);

    await redis.kill();

    // Sends are accepted: the note lives in PostgreSQL; the failed cache invalidation is not the client's problem.
    ids.push(await send('during the outage'));
    // The cache is bypassed: the partner sees the new note, not the entry cached before.
    const during = await inbox(readerIp);
    assert.notEqual(during.cache, 'HIT');
    assert.deepEqual([...during.ids].sort(), [...ids].sort());
    // Rate limits degrade to per-process counters: still enforced, never an error.
    assert.deepEqual(await exhaust(), limitedAfter);
    assert.equal(await metricValue(api.app, 'rate_limit_redis_available'), 0);
    // Sign-in fails closed: without its failure counters it would allow unlimited guesses.
    const refused = await login();
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal(refused.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.ok(refused.headers['retry-after']);
    // No read answers 500 or hangs: every GET without path parameters (streams aside), as a linked user and as an admin.
    const document = (await api.app.inject({ url: '/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const reads = Object.keys(document.paths).filter(
      (url) =>
        document.paths[url]!.get && !url.includes('{') && !/realtime|\/sse|\/live|stream|export/.test(url),
    );
    assert.ok(reads.length > 20, `${reads.length} reads`);
    for (const url of reads) {
      for (const headers of [as(pair.a), as(pair.a, 'admin')]) {
        const res = await Promise.race([
          api.app.inject({ url, headers, remoteAddress: freshIp() }),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`${url}: hung`)), 15_000).unref(),
          ),
        ]);
        assert.ok(res.statusCode < 500 || res.statusCode === 503, `${url}: ${res.statusCode} ${res.body}`);
      }
    }
    // Refresh tokens live in Redis: a refresh cannot be checked, so it is an outage answer, not a 500 or a 401.
    const refresh = await api.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      remoteAddress: freshIp(),
      payload: { refreshToken: signedIn.json().data.refreshToken },
    });
    assert.equal(refresh.statusCode, 503, refresh.body);
    assert.equal(refresh.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    const notReady = await api.app.inject({ url: '/ready' });
    assert.equal(notReady.statusCode, 503);
    assert.match(notReady.json().errors[0].message, /redis/);

    await redis.start();
    // Everything comes back without a restart.
    await eventually(
      async () => ((await api.app.inject({ url: '/ready' })).statusCode === 200 ? true : undefined),
      30_000,
    );
    const back = await eventually(async () => {
      const res = await login();
      return res.statusCode === 200 ? res : undefined;
    }, 30_000);
    const refreshed = await api.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      remoteAddress: freshIp(),
      payload: { refreshToken: back.json().data.refreshToken },
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    ids.push(await send('after the outage'));
    // The gateway's own Redis connection reconnects with a backoff of its own (up to 2 s).
    const afterIp = freshIp();
    await eventually(async () => {
      const read = await inbox(afterIp);
      assert.deepEqual([...read.ids].sort(), [...ids].sort());
      return read.cache === 'HIT' ? true : undefined;
    }, 30_000);
    await eventually(async () => {
      await api.app.inject({ url: '/v1/love-notes?box=sent', headers: as(pair.a), remoteAddress: freshIp() });
      return (await metricValue(api.app, 'rate_limit_redis_available')) === 1 ? true : undefined;
    }, 30_000);
    assert.deepEqual(await exhaust(), limitedAfter);
  });
});
