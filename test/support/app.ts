import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { assertContractKept, contractObserver } from './contract.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The real app on its own fresh database. `env` overrides configuration the
 * way the environment would (e.g. `{ BODY_LIMIT_BYTES: '2048' }`).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: {
    logStream?: NodeJS.WritableStream;
    routes?: FastifyPluginAsync;
    /** Another app's database: a second instance of the app on it (the owner drops it). */
    database?: TestDatabase;
    /**
     * false: no OpenAPI check of every answer. Only for benches, which measure the product
     * (the check costs a quarter of an inbox request's CPU); tests keep it.
     */
    contract?: boolean;
  } = {},
): Promise<TestApp> {
  const shared = options.database !== undefined;
  const database = options.database ?? (await createTestDatabase());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-test-data-'));
  const config = parseConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ENCRYPTION_KEYS: generateKeySpec('test1'),
    REDIS_URL: process.env.REDIS_URL,
    NATS_URL: process.env.NATS_URL,
    // Parallel test files on a busy machine block the event loop while modules
    // load; shedding is tested on its own (test/platform/operations.test.ts).
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
  const platform = await createPlatform(config, database.url);
  let app: FastifyInstance | undefined;
  // Every answer of the app is checked against its OpenAPI document (contract.ts).
  const contract = contractObserver();
  try {
    app = await buildApp(platform, {
      ...options,
      observers: options.contract === false ? [] : [contract.plugin],
    });
    contract.seal();
    // Test-only routes exercise conventions that no module route happens to hit.
    if (options.routes) await app.register(options.routes, { prefix: '/v1' });
    await app.ready();
  } catch (error) {
    // A failed start must not leave connections open: the test process would never exit.
    await app?.close().catch(() => {});
    await platform.close();
    if (!shared) await database.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    platform,
    database,
    async close() {
      await app.close();
      await platform.close();
      if (!shared) await database.drop();
      await rm(dataDir, { recursive: true, force: true });
      // Last, so a broken contract fails the test file without leaking its app.
      assertContractKept();
    },
  };
}
