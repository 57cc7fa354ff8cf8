import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { type Config, parseConfig } from '../../src/config.ts';
import { migrations } from '../../src/migrations.ts';
import { MODULES } from '../../src/modules/index.ts';
import { createDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrator.ts';
import { migrateJobs } from '../../src/platform/jobs/migrate.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { startWorker } from '../../src/platform/worker.ts';
import type { TestApp } from '../support/app.ts';
import { testAuth } from '../support/test-auth.ts';

export interface Running {
  app: FastifyInstance;
  platform: Platform;
  /** For helpers that take a TestApp and only use its app (makeCouple). */
  asTestApp: TestApp;
  close(): Promise<void>;
}

/** A worker's settings for the job-runner faults: one job slot, jobs found within 100 ms. */
export function oneSlotWorkerConfig(): Config {
  return parseConfig({
    NODE_ENV: 'test',
    NATS_URL: '',
    REDIS_URL: '',
    ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    JOBS_CONCURRENCY: '1',
    JOBS_POLL_INTERVAL_MS: '100',
  });
}

/** `migrate`, as `src/main.ts migrate` runs it, against a server the test owns. */
export async function migrate(url: string): Promise<void> {
  const { db, close } = createDatabase({ url, poolMax: 1, applicationName: 'migrate' });
  try {
    await migrateToLatest(db, migrations);
  } finally {
    await close();
  }
  await migrateJobs(url);
}

/**
 * What `src/main.ts start` runs, in this process: the API (every module, the
 * test sign-in header) and the worker (every module's consumers and jobs) on
 * one platform, against the given database and, through `env`, Redis and NATS.
 */
export async function startApi(databaseUrl: string, env: Record<string, string> = {}): Promise<Running> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-fault-data-'));
  const config = parseConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ENCRYPTION_KEYS: generateKeySpec('test1'),
    // A busy shared machine must not shed these requests; shedding is tested on its own.
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    JOBS_POLL_INTERVAL_MS: '100',
    ...env,
  });
  const platform = await createPlatform(config, databaseUrl);
  const stops: Array<() => Promise<void>> = [];
  let app: FastifyInstance | undefined;
  try {
    for (const module of MODULES) if (module.worker) stops.push(await module.worker(platform));
    stops.push(await startWorker(platform));
    app = await buildApp(platform);
    await app.register(testAuth, { prefix: '/v1' });
    await app.ready();
  } catch (error) {
    await app?.close().catch(() => {});
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const started = app;
  return {
    app: started,
    platform,
    asTestApp: { app: started, platform } as TestApp,
    async close() {
      await started.close();
      for (const stop of stops.reverse()) await stop();
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
