import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Type } from 'typebox';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fakeAuth, logCollector, metricValue } from './support.ts';

async function routes(app: FastifyInstance) {
  fakeAuth(app);
  app.get('/ping', async () => ({ pong: true }));
  app.post(
    '/auth/login',
    { schema: { body: Type.Object({ email: Type.String(), password: Type.String() }) } },
    async () => ({ ok: true }),
  );
}

const LIMITED = {
  // Without the auth module's routes, so the stand-in login below is the only /v1/auth/login.
  MODULES: 'users',
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_PER_IP_PER_MINUTE: '5',
  RATE_LIMIT_PER_USER_PER_MINUTE: '3',
  REDIS_URL: '',
};

async function hit(app: FastifyInstance, times: number, request: InjectOptions) {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await app.inject(request)).statusCode);
  return statuses;
}

describe('rate limits in process (no Redis)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(LIMITED, { routes });
  });
  after(() => t.close());

  it('refuses the request over the per-IP limit with 429 RATE_LIMITED and Retry-After', async () => {
    const ip = '198.51.100.1';
    const ok = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({ url: '/v1/ping', remoteAddress: ip });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['ratelimit-policy'], '"ip";q=5;w=60');
      ok.push(res.headers.ratelimit);
    }
    assert.match(String(ok[0]), /^"ip";r=4;t=\d+$/);
    assert.match(String(ok[4]), /^"ip";r=0;t=\d+$/);
    const refused = await t.app.inject({ url: '/v1/ping', remoteAddress: ip });
    assert.equal(refused.statusCode, 429);
    const body = refused.json();
    assert.equal(body.success, false);
    assert.equal(body.errors[0].code, 'RATE_LIMITED');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.equal(
      body.errors[0].message,
      `Too many requests, retry in ${retryAfter} s (limit ip; RATE_LIMIT_ENABLED=false turns the gateway's limits off for local development)`,
    );
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120,
      `retry-after ${retryAfter}`,
    );
    assert.equal(refused.headers['ratelimit-policy'], '"ip";q=5;w=60');
    assert.match(String(refused.headers.ratelimit), /^"ip";r=0;t=\d+$/);
    // Another client is unaffected.
    assert.equal((await t.app.inject({ url: '/v1/ping', remoteAddress: '198.51.100.2' })).statusCode, 200);
  });

  it('counts the signed-in user across addresses', async () => {
    const user = randomUUID();
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.inject({
        url: '/v1/ping',
        remoteAddress: `198.51.100.${10 + i}`,
        headers: { 'x-test-user': user },
      });
      statuses.push(res.statusCode);
      if (i === 0) assert.equal(res.headers['ratelimit-policy'], '"ip";q=5;w=60, "user";q=3;w=60');
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const other = await t.app.inject({
      url: '/v1/ping',
      remoteAddress: '198.51.100.20',
      headers: { 'x-test-user': randomUUID() },
    });
    assert.equal(other.statusCode, 200);
  });

  it('ignores a spoofed X-Forwarded-For from an untrusted peer', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const res = await t.app.inject({
        url: '/v1/ping',
        remoteAddress: '198.51.100.30',
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });

  it('counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', async () => {
    const sameNet = ['2001:db8:a:b::1', '2001:db8:a:b:ffff::2', '2001:db8:a:b:1:2:3:4'];
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const res = await t.app.inject({ url: '/v1/ping', remoteAddress: sameNet[i % 3]! });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.equal((await t.app.inject({ url: '/v1/ping', remoteAddress: '2001:db8:a:c::1' })).statusCode, 200);
    await hit(t.app, 5, { url: '/v1/ping', remoteAddress: '198.51.100.40' });
    const mapped = await t.app.inject({ url: '/v1/ping', remoteAddress: '::ffff:198.51.100.40' });
    assert.equal(mapped.statusCode, 429);
  });

  it('applies endpoint policies: login 5/min per account on top of the IP limit', async () => {
    const login = (email: string, ip: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        remoteAddress: ip,
        payload: { email, password: 'x' },
      });
    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await login('Ana@Example.com ', `198.51.100.${50 + i}`)).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    const policies = String((await login('bob@example.com', '198.51.100.70')).headers['ratelimit-policy']);
    assert.equal(policies, '"ip";q=5;w=60, "login-ip";q=10;w=60, "login-account";q=5;w=60');
    // The same account in another case and spacing is the same account.
    assert.equal((await login('ana@example.com', '198.51.100.71')).statusCode, 429);
  });

  it('counts unknown routes per IP and never limits health checks or metrics', async () => {
    const ip = '198.51.100.90';
    const scans = await hit(t.app, 6, { url: '/v1/nope', remoteAddress: ip });
    assert.deepEqual(scans, [404, 404, 404, 404, 404, 429]);
    const health = await hit(t.app, 10, { url: '/health', remoteAddress: ip });
    assert.ok(health.every((s) => s === 200));
    assert.equal((await t.app.inject({ url: '/metrics', remoteAddress: ip })).statusCode, 200);
  });
});

describe('rate limits behind a trusted proxy', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ ...LIMITED, TRUST_PROXY: '10.0.0.1' }, { routes });
  });
  after(() => t.close());

  it('counts the forwarded client only when the peer is the trusted proxy', async () => {
    const viaProxy = await hit(t.app, 6, {
      url: '/v1/ping',
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    assert.deepEqual(viaProxy, [200, 200, 200, 200, 200, 429]);
    // A different forwarded client through the same proxy has its own count...
    const other = await t.app.inject({
      url: '/v1/ping',
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.8' },
    });
    assert.equal(other.statusCode, 200);
    // ...and a forged hop to the left of the real client changes nothing.
    const forged = await t.app.inject({
      url: '/v1/ping',
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': '192.0.2.1, 203.0.113.7' },
    });
    assert.equal(forged.statusCode, 429);
  });
});

describe('the global token bucket', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(
      { ...LIMITED, RATE_LIMIT_GLOBAL_PER_SECOND: '1', RATE_LIMIT_BURST_PER_SECOND: '3' },
      { routes },
    );
  });
  after(() => t.close());

  it('lets a burst of its capacity through, then refuses every client until it refills', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await t.app.inject({ url: '/v1/ping', remoteAddress: `198.51.100.${100 + i}` })).statusCode,
      );
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await t.app.inject({ url: '/v1/ping', remoteAddress: '198.51.100.110' })).statusCode, 200);
  });
});

describe('rate limits when Redis is unreachable', () => {
  let t: TestApp;
  const logs = logCollector();
  before(async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    t = await createTestApp(
      { ...LIMITED, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn' },
      { routes, logStream: logs.stream },
    );
  });
  after(() => t.close());

  it('falls back to per-process counters, says so once in the log and in metrics', async () => {
    const statuses = await hit(t.app, 6, { url: '/v1/ping', remoteAddress: '198.51.100.120' });
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    const warnings = logs
      .lines()
      .filter((l) => String(l.msg).includes('falling back to per-process counters'));
    assert.equal(warnings.length, 1);
    assert.equal(await metricValue(t.app, 'rate_limit_redis_available'), 0);
    assert.ok((await metricValue(t.app, 'rate_limit_fallback_decisions_total'))! >= 6);
  });
});
