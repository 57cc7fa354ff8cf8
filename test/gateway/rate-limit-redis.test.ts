import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createTestApp, type TestApp } from '../support/app.ts';
import { needs, serverUrl } from '../support/servers.ts';
import { eventually, logCollector, metricValue } from './support.ts';

async function routes(app: FastifyInstance) {
  app.get('/ping', async () => ({ pong: true }));
}

function limitedEnv(prefix: string, redisUrl = serverUrl('REDIS_URL')!) {
  return {
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_PER_IP_PER_MINUTE: '20',
    REDIS_URL: redisUrl,
    GATEWAY_REDIS_PREFIX: prefix,
  };
}

describe('rate limits in Redis', needs('REDIS_URL'), () => {
  let a: TestApp;
  let b: TestApp;
  // Two apps (two processes' worth of state) sharing one Redis prefix.
  const prefix = `o2o:test:${randomUUID()}:`;
  before(async () => {
    a = await createTestApp(limitedEnv(prefix), { routes });
    b = await createTestApp(limitedEnv(prefix), { routes });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('shares one count between processes', async () => {
    const ip = '198.51.100.1';
    const statuses = [];
    for (let i = 0; i < 22; i++) {
      const app = i % 2 === 0 ? a.app : b.app;
      statuses.push((await app.inject({ url: '/v1/ping', remoteAddress: ip })).statusCode);
    }
    assert.deepEqual(statuses, [...Array(20).fill(200), 429, 429]);
    // Counters expire on their own: two windows for a sliding window.
    const redis = new Redis(serverUrl('REDIS_URL')!);
    try {
      const ttl = await redis.pttl(`${prefix}{rl}:ip:${ip}`);
      assert.ok(ttl > 60_000 && ttl <= 120_000, `ttl ${ttl}`);
      assert.ok((await redis.pttl(`${prefix}{rl}:global`)) > 0);
    } finally {
      redis.disconnect();
    }
  });

  it('is atomic: of 60 concurrent requests on two processes exactly 20 pass', async () => {
    const ip = '198.51.100.2';
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? a.app : b.app).inject({ url: '/v1/ping', remoteAddress: ip }),
      ),
    );
    const passed = results.filter((r) => r.statusCode === 200).length;
    assert.equal(passed, 20);
    assert.ok(results.every((r) => r.statusCode === 200 || r.statusCode === 429));
  });

  it('reports remaining quota from the shared count', async () => {
    const ip = '198.51.100.3';
    await a.app.inject({ url: '/v1/ping', remoteAddress: ip });
    const second = await b.app.inject({ url: '/v1/ping', remoteAddress: ip });
    assert.match(String(second.headers.ratelimit), /^"ip";r=18;t=\d+$/);
  });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += String(chunk);
  });
  await eventually(() => output.includes('Ready to accept connections'), 5000);
  return child;
}

describe('rate limits through a Redis outage', needs('REDIS_URL'), () => {
  let t: TestApp;
  let redis: ChildProcess | undefined;
  let port: number;
  const logs = logCollector();
  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await createTestApp(
      { ...limitedEnv(`o2o:test:${randomUUID()}:`, `redis://127.0.0.1:${port}`), LOG_LEVEL: 'info' },
      { routes, logStream: logs.stream },
    );
  });
  after(async () => {
    await t?.close();
    redis?.kill('SIGKILL');
  });

  it('keeps answering on per-process counters while Redis is down and goes back when it returns', async () => {
    const ping = () => t.app.inject({ url: '/v1/ping', remoteAddress: '198.51.100.9' });
    await eventually(
      async () =>
        (await ping()).statusCode === 200 && (await metricValue(t.app, 'rate_limit_redis_available')) === 1,
    );
    redis!.kill('SIGKILL');
    await once(redis!, 'exit');
    // No request fails because Redis is gone.
    for (let i = 0; i < 5; i++) assert.equal((await ping()).statusCode, 200);
    assert.equal(await metricValue(t.app, 'rate_limit_redis_available'), 0);
    assert.ok(logs.lines().some((l) => l.level === 40 && String(l.msg).includes('Redis unavailable')));

    redis = await startRedis(port);
    await eventually(async () => {
      await ping();
      return (await metricValue(t.app, 'rate_limit_redis_available')) === 1;
    }, 8000);
    assert.ok(logs.lines().some((l) => String(l.msg).includes('Redis is back')));
  });
});
