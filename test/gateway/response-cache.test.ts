import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Type } from 'typebox';
import { cacheTags } from '../../src/platform/gateway/response-cache/index.ts';
import { capCacheLifetime, DEADLINE_MARGIN_MS } from '../../src/platform/gateway/response-cache/plugin.ts';
import { Enveloped } from '../../src/platform/http/envelope.ts';
import { forbidden } from '../../src/platform/http/errors.ts';
import { PaginationQuery, toPage } from '../../src/platform/http/pagination.ts';
import type { Platform } from '../../src/platform/platform.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { needs, serverUrl } from '../support/servers.ts';
import { eventually, fakeAuth, metricValue } from './support.ts';

/** Routes whose handlers count their calls, so a test can tell a hit (no call) from a miss. */
type State = { calls: number; platform?: Platform; gate?: Promise<void>; failNext?: boolean };

function cacheRoutes(state: State) {
  return async (app: FastifyInstance) => {
    fakeAuth(app);
    app.get(
      '/me/things',
      {
        config: { cache: { ttlSeconds: 30, scope: 'private' } },
        schema: {
          querystring: Type.Object({ a: Type.Optional(Type.String()), b: Type.Optional(Type.String()) }),
        },
      },
      async (request) => {
        state.calls++;
        return { user: request.user?.id ?? null, call: state.calls, query: request.query };
      },
    );
    app.get(
      '/me/typed',
      {
        config: { cache: { ttlSeconds: 30, scope: 'private' } },
        schema: {
          response: {
            200: Enveloped(Type.Object({ at: Type.String({ format: 'date-time' }), n: Type.Integer() })),
          },
        },
      },
      async () => {
        state.calls++;
        // passwordHash is not in the response schema: it must never be sent, nor cached.
        return { at: new Date('2026-01-02T03:04:05.000Z'), n: 7, passwordHash: 'argon2id$secret' };
      },
    );
    app.get('/me/stable', { config: { cache: { ttlSeconds: 30, scope: 'private' } } }, async (request) => {
      state.calls++;
      return { user: request.user?.id };
    });
    app.get('/me/slow', { config: { cache: { ttlSeconds: 30, scope: 'private' } } }, async () => {
      state.calls++;
      const call = state.calls;
      await state.gate;
      return { call };
    });
    app.get('/me/flaky', { config: { cache: { ttlSeconds: 30, scope: 'private' } } }, async () => {
      state.calls++;
      await state.gate;
      if (state.failNext) {
        state.failNext = false;
        throw forbidden();
      }
      return { call: state.calls };
    });
    // Right for `ms` more from the call (?ms=), then 300 ms of work before the answer is stored.
    app.get(
      '/me/until',
      {
        config: { cache: { ttlSeconds: 30, scope: 'private' } },
        schema: { querystring: Type.Object({ ms: Type.Integer(), wait: Type.Optional(Type.Integer()) }) },
      },
      async (request) => {
        state.calls++;
        const { ms, wait } = request.query as { ms: number; wait?: number };
        capCacheLifetime(request, ms);
        capCacheLifetime(request, ms + 5_000);
        await new Promise((resolve) => setTimeout(resolve, wait ?? 0));
        return { call: state.calls };
      },
    );
    app.get('/me/short', { config: { cache: { ttlSeconds: 1, scope: 'private' } } }, async () => {
      state.calls++;
      return { call: state.calls };
    });
    app.get(
      '/me/numbers',
      {
        config: { paginated: true, cache: { ttlSeconds: 30, scope: 'private' } },
        schema: { querystring: PaginationQuery },
      },
      async (request) => {
        state.calls++;
        const { limit = 20 } = request.query as { limit?: number };
        const rows = Array.from({ length: 30 }, (_, i) => ({ n: i + 1 }));
        return toPage(rows.slice(0, limit + 1), limit, (row) => ({ n: row.n }));
      },
    );
    app.get(
      '/articles',
      {
        config: { cache: { ttlSeconds: 30, scope: 'public', tags: () => ['articles'] } },
        preHandler: async (request) => {
          if (request.headers['x-banned'] === 'yes') throw forbidden();
        },
      },
      async () => {
        state.calls++;
        return { articles: ['a', 'b'], call: state.calls };
      },
    );
    app.post('/me/things', async (request) => {
      await state.platform!.responseCache.invalidate([cacheTags.user(request.user!.id)]);
      return { ok: true };
    });
  };
}

function suite(mode: 'memory' | 'redis') {
  const options = mode === 'redis' ? needs('REDIS_URL') : {};
  describe(`response cache (${mode})`, options, () => {
    let t: TestApp;
    let other: TestApp;
    const state: State = { calls: 0 };
    const closeGate = () => {
      let release!: () => void;
      state.gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        release();
        state.gate = undefined;
      };
    };
    // A request is inside its handler (so its flight is open) once it has counted its call.
    const entered = (calls: number) => eventually(() => state.calls >= calls);
    // Waiters are not observable until answered: give their lookups (a Redis round trip
    // on a loaded machine) time to reach the open flight before the gate opens.
    const park = () => new Promise((resolve) => setTimeout(resolve, 300));
    const as = (user: string, url: string, headers: Record<string, string> = {}) =>
      t.app.inject({ url, headers: { 'x-test-user': user, ...headers } });
    /** One request inside its gated handler, then `count` more for the same entry, then the gate opens. */
    const missTogether = async (user: string, url: string, count: number) => {
      const open = closeGate();
      const calls = state.calls;
      const leader = as(user, url);
      await entered(calls + 1);
      const waiters = Array.from({ length: count }, () => as(user, url));
      await park();
      open();
      return { calls, leader, waiters };
    };

    const prefix = `o2o:test:${randomUUID()}:`;
    before(async () => {
      const env = {
        REDIS_URL: mode === 'redis' ? serverUrl('REDIS_URL')! : '',
        GATEWAY_REDIS_PREFIX: prefix,
      };
      t = await createTestApp(
        { ...env, CORS_ORIGINS: 'https://app.example' },
        { routes: cacheRoutes(state) },
      );
      state.platform = t.platform;
      if (mode === 'redis') other = await createTestApp(env, { routes: cacheRoutes(state) });
    });
    after(async () => {
      await t?.close();
      await other?.close();
    });

    it('serves a hit without calling the handler, with a fresh envelope and the same ETag', async () => {
      const user = randomUUID();
      const first = await as(user, '/v1/me/things?a=1');
      const calls = state.calls;
      const second = await as(user, '/v1/me/things?a=1');
      assert.equal(state.calls, calls);
      assert.equal(first.headers['x-cache'], 'MISS');
      assert.equal(second.headers['x-cache'], 'HIT');
      assert.deepEqual(second.json().data, first.json().data);
      // The hit's envelope is spliced as text: it must read exactly like the handler's.
      const withoutMeta = (body: Record<string, unknown>) => ({ ...body, meta: null });
      assert.deepEqual(withoutMeta(second.json()), withoutMeta(first.json()));
      assert.deepEqual(Object.keys(second.json().meta), Object.keys(first.json().meta));
      assert.equal(second.headers['content-type'], first.headers['content-type']);
      assert.notEqual(second.json().meta.requestId, first.json().meta.requestId);
      assert.match(String(first.headers.etag), /^"[\w-]{27}"$/);
      assert.equal(second.headers.etag, first.headers.etag);
      assert.equal(second.headers['cache-control'], 'private, no-cache');
      // CORS's Vary: Origin is kept, not replaced.
      assert.equal(second.headers.vary, 'Origin, Authorization');
    });

    it('normalises the query: order and defaults do not split entries, values do', async () => {
      const user = randomUUID();
      await as(user, '/v1/me/things?a=1&b=2');
      const calls = state.calls;
      assert.equal((await as(user, '/v1/me/things?b=2&a=1')).headers['x-cache'], 'HIT');
      assert.equal(state.calls, calls);
      assert.equal((await as(user, '/v1/me/things?a=1&b=3')).headers['x-cache'], 'MISS');
      await as(user, '/v1/me/numbers');
      assert.equal((await as(user, '/v1/me/numbers?limit=20')).headers['x-cache'], 'HIT');
    });

    it('answers If-None-Match with 304 on hits and on misses whose data did not change', async () => {
      const user = randomUUID();
      const first = await as(user, '/v1/me/stable');
      const etag = String(first.headers.etag);
      const hit = await as(user, '/v1/me/stable', { 'if-none-match': `W/${etag}, "other"` });
      assert.equal(hit.statusCode, 304);
      assert.equal(hit.body, '');
      await t.platform.responseCache.invalidate([cacheTags.user(user)]);
      const calls = state.calls;
      const miss = await as(user, '/v1/me/stable', { 'if-none-match': etag });
      assert.equal(state.calls, calls + 1);
      assert.equal(miss.statusCode, 304);
      assert.equal(miss.headers['x-cache'], 'MISS');
      const changed = await as(user, '/v1/me/things', { 'if-none-match': etag });
      assert.equal(changed.statusCode, 200);
    });

    it('never gives one user another user’s body, under concurrent load from many users', async () => {
      const users = Array.from({ length: 40 }, () => randomUUID());
      const requests = users.flatMap((user) =>
        Array.from({ length: 5 }, () => as(user, '/v1/me/things?a=x')),
      );
      const responses = await Promise.all(requests);
      responses.forEach((res, i) => {
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().data.user, users[Math.floor(i / 5)]);
      });
      const again = await Promise.all(users.map((user) => as(user, '/v1/me/things?a=x')));
      again.forEach((res, i) => {
        assert.equal(res.headers['x-cache'], 'HIT');
        assert.equal(res.json().data.user, users[i]);
      });
    });

    it('does not cache private routes for anonymous callers', async () => {
      const calls = state.calls;
      await t.app.inject({ url: '/v1/me/things' });
      const second = await t.app.inject({ url: '/v1/me/things' });
      assert.equal(state.calls, calls + 2);
      assert.equal(second.headers['x-cache'], undefined);
    });

    it('invalidates a user’s entries after a write, and only that user’s', async () => {
      const [ana, bob] = [randomUUID(), randomUUID()];
      const anaBefore = (await as(ana, '/v1/me/things')).json().data.call;
      const bobBefore = (await as(bob, '/v1/me/things')).json().data.call;
      await t.app.inject({
        method: 'POST',
        url: '/v1/me/things',
        headers: { 'x-test-user': ana },
        payload: {},
      });
      const anaAfter = await as(ana, '/v1/me/things');
      assert.equal(anaAfter.headers['x-cache'], 'MISS');
      assert.ok(anaAfter.json().data.call > anaBefore);
      const bobAfter = await as(bob, '/v1/me/things');
      assert.equal(bobAfter.headers['x-cache'], 'HIT');
      assert.equal(bobAfter.json().data.call, bobBefore);
    });

    it('does not store data read before an invalidation that landed while the handler ran', async () => {
      const user = randomUUID();
      let release!: () => void;
      state.gate = new Promise((resolve) => {
        release = resolve;
      });
      const slow = as(user, '/v1/me/slow');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await t.platform.responseCache.invalidate([cacheTags.user(user)]);
      release();
      assert.equal((await slow).headers['x-cache'], 'MISS');
      state.gate = undefined;
      assert.equal((await as(user, '/v1/me/slow')).headers['x-cache'], 'MISS');
      assert.equal((await as(user, '/v1/me/slow')).headers['x-cache'], 'HIT');
    });

    it('runs the handler once for concurrent misses of the same entry, and answers all of them', async () => {
      const user = randomUUID();
      const coalescedBefore = (await metricValue(t.app, 'response_cache_coalesced_total')) ?? 0;
      const { calls, leader, waiters } = await missTogether(user, '/v1/me/slow', 9);
      const responses = await Promise.all([leader, ...waiters]);
      assert.equal(state.calls, calls + 1);
      for (const response of responses) assert.equal(response.statusCode, 200);
      assert.deepEqual(new Set(responses.map((r) => r.json().data.call)), new Set([calls + 1]));
      assert.deepEqual(
        responses.map((r) => r.headers['x-cache']),
        ['MISS', ...Array(9).fill('HIT')],
      );
      assert.equal(new Set(responses.map((r) => r.headers.etag)).size, 1);
      assert.equal((await metricValue(t.app, 'response_cache_coalesced_total')) ?? 0, coalescedBefore + 9);
    });

    it('lets waiters run the handler themselves when the request they waited on fails', async () => {
      const user = randomUUID();
      state.failNext = true;
      const { calls, leader, waiters } = await missTogether(user, '/v1/me/flaky', 3);
      assert.equal((await leader).statusCode, 403);
      for (const waiter of await Promise.all(waiters)) {
        assert.equal(waiter.statusCode, 200);
        assert.equal(waiter.headers['x-cache'], 'MISS');
      }
      assert.equal(state.calls, calls + 4);
    });

    it('does not join a computation that started before an invalidation', async () => {
      const user = randomUUID();
      const open = closeGate();
      const calls = state.calls;
      const before = as(user, '/v1/me/slow');
      await entered(calls + 1);
      await t.platform.responseCache.invalidate([cacheTags.user(user)]);
      const afterWrite = as(user, '/v1/me/slow');
      // It runs its own handler (gated like the first): it did not join the older flight.
      await entered(calls + 2);
      open();
      assert.equal((await before).headers['x-cache'], 'MISS');
      const fresh = await afterWrite;
      assert.equal(fresh.headers['x-cache'], 'MISS');
      assert.equal(fresh.json().data.call, calls + 2);
      assert.equal(state.calls, calls + 2);
    });

    it('expires entries after their TTL', async () => {
      const user = randomUUID();
      await as(user, '/v1/me/short');
      assert.equal((await as(user, '/v1/me/short')).headers['x-cache'], 'HIT');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await as(user, '/v1/me/short')).headers['x-cache'], 'MISS');
    });

    it('ends an entry at its request’s deadline, counted from the handler’s call, never past the TTL', async () => {
      const user = randomUUID();
      // The earliest of two caps wins: 1.2 s from the call; the answer took 0.3 s of it.
      await as(user, '/v1/me/until?ms=1200&wait=300');
      assert.equal((await as(user, '/v1/me/until?ms=1200&wait=300')).headers['x-cache'], 'HIT');
      await new Promise((resolve) => setTimeout(resolve, 950));
      assert.equal(
        (await as(user, '/v1/me/until?ms=1200&wait=300')).headers['x-cache'],
        'MISS',
        'gone 1.2 s after the call, not 1.2 s after the store',
      );
      // A deadline already reached (or within the margin) stores nothing.
      await as(user, `/v1/me/until?ms=${DEADLINE_MARGIN_MS}`);
      assert.equal((await as(user, `/v1/me/until?ms=${DEADLINE_MARGIN_MS}`)).headers['x-cache'], 'MISS');
      // A deadline far away: the route's TTL still holds the entry (a hit now).
      await as(user, '/v1/me/until?ms=3600000');
      assert.equal((await as(user, '/v1/me/until?ms=3600000')).headers['x-cache'], 'HIT');
    });

    it('caches paginated routes with their cursor', async () => {
      const user = randomUUID();
      const first = (await as(user, '/v1/me/numbers?limit=5')).json();
      const hit = await as(user, '/v1/me/numbers?limit=5');
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.deepEqual(hit.json().data, first.data);
      assert.equal(hit.json().meta.nextCursor, first.meta.nextCursor);
      assert.ok(first.meta.nextCursor);
    });

    it('caches public routes for everyone, behind the route’s own checks', async () => {
      await t.platform.responseCache.invalidate(['articles']);
      const first = await t.app.inject({ url: '/v1/articles' });
      assert.equal(first.headers['cache-control'], 'public, max-age=30');
      const other = await as(randomUUID(), '/v1/articles');
      assert.equal(other.headers['x-cache'], 'HIT');
      const banned = await t.app.inject({ url: '/v1/articles', headers: { 'x-banned': 'yes' } });
      assert.equal(banned.statusCode, 403);
      await t.platform.responseCache.invalidate([cacheTags.route('GET /v1/articles')]);
      assert.equal((await t.app.inject({ url: '/v1/articles' })).headers['x-cache'], 'MISS');
    });

    it('counts hits, misses and invalidations', async () => {
      assert.ok((await metricValue(t.app, 'response_cache_hits_total'))! > 0);
      assert.ok((await metricValue(t.app, 'response_cache_misses_total'))! > 0);
      assert.ok((await metricValue(t.app, 'response_cache_invalidations_total'))! > 0);
    });

    it('caches what the response schema lets out, with the same body on hits', async () => {
      const user = randomUUID();
      const miss = await as(user, '/v1/me/typed');
      const hit = await as(user, '/v1/me/typed');
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.deepEqual(miss.json().data, { at: '2026-01-02T03:04:05.000Z', n: 7 });
      assert.deepEqual(hit.json().data, miss.json().data);
      assert.doesNotMatch(hit.body, /passwordHash|secret/);
      if (mode === 'redis') {
        const redis = new Redis(serverUrl('REDIS_URL')!);
        try {
          const keys = await redis.keys(`${prefix}{rc}:e:*`);
          assert.ok(keys.length > 0);
          const bodies = await Promise.all(keys.map((key) => redis.hget(key, 'b')));
          assert.ok(bodies.every((body) => !String(body).includes('secret')));
        } finally {
          redis.disconnect();
        }
      }
    });

    if (mode === 'redis') {
      it('shares entries and invalidations across processes', async () => {
        const user = randomUUID();
        await as(user, '/v1/me/things?a=shared');
        const elsewhere = await other.app.inject({
          url: '/v1/me/things?a=shared',
          headers: { 'x-test-user': user },
        });
        assert.equal(elsewhere.headers['x-cache'], 'HIT');
        await other.platform.responseCache.invalidate([cacheTags.user(user)]);
        assert.equal((await as(user, '/v1/me/things?a=shared')).headers['x-cache'], 'MISS');
      });
    }
  });
}

suite('memory');
suite('redis');

describe('response cache with Redis unreachable', () => {
  let t: TestApp;
  const state = { calls: 0 };
  before(async () => {
    t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' }, { routes: cacheRoutes(state) });
  });
  after(() => t.close());

  it('serves every request uncached instead of failing', async () => {
    const user = randomUUID();
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ url: '/v1/me/things', headers: { 'x-test-user': user } });
      assert.equal(res.statusCode, 200);
    }
    assert.equal(state.calls, 3);
    await t.platform.responseCache.invalidate([cacheTags.user(user)]);
    assert.ok((await metricValue(t.app, 'response_cache_errors_total'))! >= 3);
    assert.equal(await metricValue(t.app, 'response_cache_invalidation_errors_total'), 1);
  });
});
