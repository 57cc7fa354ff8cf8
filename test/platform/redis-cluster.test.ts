import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { v7 } from 'uuid';
import {
  createRedisRefreshTokens,
  firstRefreshToken,
  successorRefreshToken,
} from '../../src/modules/auth/refresh-redis.ts';
import { createRedisCache } from '../../src/platform/cache/redis-cache.ts';
import type { RedisTarget } from '../../src/platform/config.ts';
import { createRedisRateLimitStore } from '../../src/platform/gateway/rate-limit/redis-store.ts';
import { createGatewayRedis, redisReady } from '../../src/platform/gateway/redis.ts';
import { createRedisResponseCacheStore } from '../../src/platform/gateway/response-cache/redis-store.ts';
import { createLiveHub, type LiveEvent } from '../../src/platform/realtime/live-hub.ts';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { metricValue } from '../gateway/support.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, caller, registerUser } from '../support/auth.ts';
import { type LocalRedisCluster, serverDir, startRedisCluster, waitFor } from '../support/local-servers.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, testAuth } from '../support/test-auth.ts';

const run = promisify(execFile);

/**
 * The Redis users (cache, rate limiter, response cache, refresh tokens,
 * realtime fan-out) against a three-master Redis Cluster the test starts. A
 * multi-key command or script whose keys span slots fails with CROSSSLOT:
 * the store-level checks let such errors throw, and since the app falls back
 * quietly on Redis errors, the last check reads every node's error
 * statistics (INFO errorstats) and fails on any CROSSSLOT.
 */
describe('Redis Cluster (three masters)', () => {
  let root: { dir: string; remove(): Promise<void> };
  let cluster: LocalRedisCluster;
  let target: RedisTarget;
  before(async () => {
    root = await serverDir('o2o-redis-cluster-');
    cluster = await startRedisCluster(root.dir);
    target = { kind: 'cluster', nodes: cluster.nodes };
  });
  after(async () => {
    await cluster?.stop();
    await root?.remove();
  });

  /** Slots each key maps to, as the cluster computes them. */
  const slotsOf = async (keys: string[]) =>
    new Set(
      await Promise.all(
        keys.map(async (key) => {
          const { stdout } = await run('redis-cli', [
            '-p',
            String(cluster.nodes[0]!.port),
            'cluster',
            'keyslot',
            key,
          ]);
          return stdout.trim();
        }),
      ),
    );

  it('cache: get, set, increment, and delete of keys in different slots', async () => {
    const cache = createRedisCache(target, `test:${randomUUID()}:`);
    try {
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
      assert.ok((await slotsOf(keys.map((k) => `x:${k}`))).size > 1, 'the keys spread over slots');
      for (const key of keys) await cache.set(key, { key }, 60);
      assert.deepEqual(await cache.get('k3'), { key: 'k3' });
      const counts = await Promise.all(Array.from({ length: 20 }, () => cache.increment('n', 1, 60)));
      assert.equal(Math.max(...counts), 20);
      await cache.delete(...keys);
      for (const key of keys) assert.equal(await cache.get(key), undefined);
      await cache.ping();
    } finally {
      await cache.close();
    }
  });

  it('rate limiter: one script counts every rule of a request atomically', async () => {
    const redis = createGatewayRedis(target, 2000);
    try {
      assert.ok(await redisReady(redis, 10_000));
      const store = createRedisRateLimitStore(redis, `o2o:test:${randomUUID()}:`);
      const rules = (ip: string) => [
        { kind: 'token-bucket' as const, name: 'global', key: 'global', ratePerSecond: 1000, capacity: 1000 },
        { kind: 'sliding-window' as const, name: 'ip', key: `ip:${ip}`, limit: 5, windowSeconds: 60 },
        { kind: 'sliding-window' as const, name: 'user', key: `user:${ip}`, limit: 100, windowSeconds: 60 },
      ];
      const decisions = await Promise.all(Array.from({ length: 8 }, () => store.check(rules('10.0.0.1'))));
      assert.equal(decisions.filter((d) => d.allowed).length, 5);
      assert.ok((await store.check(rules('10.0.0.2'))).allowed, 'another key has its own count');
    } finally {
      redis.disconnect();
    }
  });

  it('response cache: lookup, store and invalidate entries with many tags', async () => {
    const redis = createGatewayRedis(target, 2000);
    try {
      assert.ok(await redisReady(redis, 10_000));
      const store = createRedisResponseCacheStore(redis, `o2o:test:${randomUUID()}:`);
      const tags = ['user:1', 'route:GET /v1/content', 'content', 'user:2'];
      const miss = await store.lookup('GET /v1/content', tags);
      assert.equal(miss.hit, false);
      if (miss.hit) return;
      await store.store('GET /v1/content', { etag: '"e1"', body: 'null\n[]' }, tags, miss.versions, 60_000);
      const hit = await store.lookup('GET /v1/content', tags);
      assert.equal(hit.hit, true);
      await store.invalidate(['content', 'user:9']);
      assert.equal((await store.lookup('GET /v1/content', tags)).hit, false);
    } finally {
      redis.disconnect();
    }
  });

  it('refresh tokens: a token and its successor share a slot, so the spend script runs', async () => {
    const tokens = createRedisRefreshTokens(target, `o2o:test:${randomUUID()}:rt:`);
    try {
      const first = firstRefreshToken();
      const second = successorRefreshToken(first);
      const record = { sessionId: v7(), userId: v7(), expiresAt: Date.now() + 60_000 };
      await tokens.insert(first, record);
      assert.deepEqual(await tokens.spend(first, Date.now(), 'sealed-pair', { token: second, ...record }), {
        kind: 'ok',
      });
      assert.equal((await tokens.get(second))?.sessionId, record.sessionId);
      const again = await tokens.spend(first, Date.now(), 'other', {
        token: successorRefreshToken(first),
        ...record,
      });
      assert.equal(again.kind, 'used');
    } finally {
      tokens.close();
    }
  });

  it('realtime: a message pushed by one hub reaches a subscriber of another (sharded pub/sub)', async () => {
    const one = createLiveHub(target);
    const two = createLiveHub(target);
    try {
      // Users whose channels sit on different masters.
      const users = Array.from({ length: 6 }, () => v7());
      const received = new Map<string, LiveEvent[]>();
      const unsubscribes = users.map((user) => two.subscribe(user, (event) => received.set(user, [event])));
      await waitFor(async () => {
        for (const user of users) {
          one.push(user, {
            type: 'love-note.read',
            id: `${Date.now()}_${v7()}`,
            data: { id: v7(), readAt: '' },
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        const missing = users.filter((user) => !received.has(user));
        if (missing.length > 0) throw new Error(`not delivered to ${missing.length} users`);
      }, 15_000);
      for (const unsubscribe of unsubscribes) unsubscribe();
    } finally {
      await one.close();
      await two.close();
    }
  });

  describe('two app instances on the cluster', () => {
    let one: TestApp;
    let two: TestApp;
    let limitedA: TestApp;
    let limitedB: TestApp;
    // One key ring for both, as processes of one deployment share it (the grace-window pair is sealed with it).
    const keys = generateKeySpec('cluster1');
    const prefix = `o2o:test:${randomUUID()}:`;
    const env = () => ({
      GATEWAY_REDIS_PREFIX: prefix,
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: cluster.env,
      AUTH_REFRESH_STORE: 'redis',
      ENCRYPTION_KEYS: keys,
    });
    async function ping(app: FastifyInstance) {
      app.get('/ping', async () => ({ pong: true }));
    }
    before(async () => {
      one = await createTestApp(env(), { routes: testAuth });
      two = await createTestApp(env(), { routes: testAuth, database: one.database });
      const limited = {
        ...env(),
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_PER_IP_PER_MINUTE: '20',
        RATE_LIMIT_LEASE_PERCENT: '0',
        GATEWAY_REDIS_PREFIX: `o2o:test:${randomUUID()}:`,
      };
      limitedA = await createTestApp(limited, { routes: ping });
      limitedB = await createTestApp(limited, { routes: ping });
    });
    after(async () => {
      await limitedB?.close();
      await limitedA?.close();
      await two?.close();
      await one?.close();
    });

    it('counts one rate limit across both processes', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 26; i++) {
        const app = i % 2 === 0 ? limitedA.app : limitedB.app;
        codes.push((await app.inject({ url: '/v1/ping' })).statusCode);
      }
      assert.equal(codes.filter((code) => code === 200).length, 20);
      assert.equal(codes.filter((code) => code === 429).length, 6);
      for (const app of [limitedA.app, limitedB.app]) {
        assert.equal((await metricValue(app, 'rate_limit_fallback_decisions_total')) ?? 0, 0);
      }
    });

    it('rotates a refresh token in one process; the other answers a racing refresh with the same pair', async () => {
      const user = await registerUser(caller(one.app));
      assert.match(user.refreshToken, /^[0-9a-f]{8}\./, 'a token carries its family tag');
      const rotated = await one.app.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        payload: { refreshToken: user.refreshToken },
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const next = rotated.json().data;
      assert.equal(next.refreshToken.split('.')[0], user.refreshToken.split('.')[0]);
      // Inside the grace window the other process hands out the same pair (read from Redis).
      const raced = await two.app.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        payload: { refreshToken: user.refreshToken },
      });
      assert.equal(raced.statusCode, 200, raced.body);
      assert.equal(raced.json().data.refreshToken, next.refreshToken);
      const sessions = await one.app.inject({ url: '/v1/auth/sessions', headers: bearer(next.accessToken) });
      assert.equal(sessions.statusCode, 200);
    });

    it('fans a live note out from the process that accepted it to the one holding the stream', async () => {
      const { a, b } = await makeCouple(one);
      await two.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = two.app.server.address() as AddressInfo;
      const request = http.get(`http://127.0.0.1:${port}/v1/realtime/sse`, { headers: as(b) });
      try {
        const response = await new Promise<http.IncomingMessage>((resolve) =>
          request.once('response', resolve),
        );
        assert.equal(response.statusCode, 200);
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const sent = await one.app.inject({
          method: 'POST',
          url: '/v1/love-notes',
          headers: as(a),
          payload: { body: 'across processes' },
        });
        assert.equal(sent.statusCode, 201, sent.body);
        await eventually(async () => (text.includes(sent.json().data.id) ? true : undefined), 10_000);
      } finally {
        request.destroy();
      }
    });

    it('serves cached responses and drops them on invalidation, on both processes', async () => {
      const first = await one.app.inject({ url: '/v1/content' });
      assert.equal(first.statusCode, 200, first.body);
      // Once the first process's entry landed, the other's very first request hits it.
      await eventually(async () => {
        const again = await one.app.inject({ url: '/v1/content' });
        return again.headers['x-cache'] === 'HIT' ? true : undefined;
      }, 5_000);
      assert.equal((await two.app.inject({ url: '/v1/content' })).headers['x-cache'], 'HIT');
      await one.platform.responseCache.invalidate(['content']);
      assert.equal((await two.app.inject({ url: '/v1/content' })).headers['x-cache'], 'MISS');
    });
  });

  it('never answered CROSSSLOT on any node', async () => {
    for (const { port } of cluster.nodes) {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'info', 'errorstats']);
      assert.doesNotMatch(stdout, /CROSSSLOT/, `node ${port}:\n${stdout}`);
      const { stdout: stats } = await run('redis-cli', ['-p', String(port), 'info', 'commandstats']);
      assert.match(stats, /cmdstat_/, `node ${port} served commands`);
    }
  });
});
