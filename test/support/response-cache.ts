import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { createTestApp, type TestApp } from './app.ts';
import { serverUrl } from './servers.ts';
import { as, testAuth } from './test-auth.ts';

export type CacheMode = 'memory' | 'redis';

/**
 * How long an invalidation may take to reach another instance: at once with Redis (shared tag
 * versions), within moments without it (PostgreSQL NOTIFY to each process's own cache).
 */
export const settleMs = (mode: CacheMode) => (mode === 'memory' ? 3_000 : 0);

/** The instances of `twoInstances`, there from its `before` hook on. */
export interface Instances {
  /** The first instance; its database is the one both use. */
  readonly one: TestApp;
  /** The second instance, or `one` itself when `oneWithoutRedis` and the mode is `memory`. */
  readonly two: TestApp;
  /** The configuration both were started with (e.g. for a third instance on `one.database`). */
  readonly env: Record<string, string>;
}

/**
 * Two instances of the app on one database, sharing Redis (`redis`) or not (`memory`: each has
 * its own response cache and hears of the other's invalidations through PostgreSQL NOTIFY), with
 * a gateway key prefix of their own and one set of field-encryption keys. Started in a `before`
 * hook of the enclosing `describe` and closed in an `after` hook; read them inside tests.
 *
 * `env`: more configuration for both. `routesOfOne`: the first instance's test routes (default
 * `testAuth`). `oneWithoutRedis`: in `memory` mode a single instance serves as both.
 */
export function twoInstances(
  mode: CacheMode,
  options: { env?: Record<string, string>; routesOfOne?: FastifyPluginAsync; oneWithoutRedis?: boolean } = {},
): Instances {
  let one: TestApp | undefined;
  let two: TestApp | undefined;
  const env = {
    REDIS_URL: mode === 'redis' ? serverUrl('REDIS_URL')! : '',
    GATEWAY_REDIS_PREFIX: `o2o:test:${randomUUID()}:`,
    ENCRYPTION_KEYS: generateKeySpec('shared'),
    ...options.env,
  };
  before(async () => {
    one = await createTestApp(env, { routes: options.routesOfOne ?? testAuth });
    two =
      mode === 'memory' && options.oneWithoutRedis
        ? one
        : await createTestApp(env, { routes: testAuth, database: one.database });
  });
  after(async () => {
    if (two !== one) await two?.close();
    await one?.close();
  });
  const started = (app: TestApp | undefined) => {
    if (!app) throw new Error('twoInstances: read the instances inside a test, after its before hook');
    return app;
  };
  return {
    get one() {
      return started(one);
    },
    get two() {
      return started(two);
    },
    env,
  };
}

/** One GET of `url` as `user`: the status, the X-Cache header, and the envelope's parts. */
export interface Read<T> {
  status: number;
  cache: string | undefined;
  etag: string | undefined;
  data: T;
  meta: Record<string, unknown>;
  body: string;
}

/** GET `url` as `user` (extra `headers` beside the test sign-in). */
export async function read<T>(
  app: TestApp,
  user: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<Read<T>> {
  const res = await app.app.inject({ url, headers: { ...as(user), ...headers } });
  const envelope = res.json();
  return {
    status: res.statusCode,
    cache: res.headers['x-cache'] as string | undefined,
    etag: res.headers.etag as string | undefined,
    data: envelope.data as T,
    meta: envelope.meta,
    body: res.body,
  };
}

/** `read`, which must answer 200. */
export async function readOk<T>(
  app: TestApp,
  user: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<Read<T>> {
  const answer = await read<T>(app, user, url, headers);
  assert.equal(answer.status, 200, answer.body);
  return answer;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 25));

/**
 * Reads twice and asserts the second read is a cache HIT. An earlier write's invalidation may
 * still be on its way (NOTIFY): reads again until the entry is cached once it landed.
 */
export async function warmUntilHit(
  read: () => Promise<{ cache: unknown }>,
  settle: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + settle;
  await read();
  let cache = (await read()).cache;
  while (cache !== 'HIT' && Date.now() < deadline) {
    await pause();
    cache = (await read()).cache;
  }
  assert.equal(cache, 'HIT', what);
}

/** The first answer that passes `check` within `settle` ms, else a failure naming `what` and the answer. */
export async function freshWithin<T>(
  read: () => Promise<T>,
  check: (answer: T) => boolean,
  settle: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + settle;
  for (;;) {
    const answer = await read();
    if (check(answer)) return answer;
    if (Date.now() >= deadline) assert.fail(`${what}: ${JSON.stringify(answer)}`);
    await pause();
  }
}
