import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config.ts';
import { cancel, schedule } from '../../src/platform/jobs/schedule.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { waitFor } from '../support/bus.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

interface Run {
  value: number;
  at: number;
  runAt: Date;
  key: string | null;
}

/** A worker process stand-in: its own platform on the shared test database. */
async function worker(url: string, runs: Run[]): Promise<{ platform: Platform; stop: () => Promise<void> }> {
  const config = parseConfig({
    NODE_ENV: 'test',
    NATS_URL: '',
    ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    JOBS_POLL_INTERVAL_MS: '200',
  });
  const platform = await createPlatform(config, url);
  platform.jobs.define('platform.test', async (payload, context) => {
    runs.push({ value: payload.value, at: Date.now(), runAt: context.runAt, key: context.key });
  });
  const stopJobs = await platform.jobs.start();
  return {
    platform,
    stop: async () => {
      await stopJobs();
      await platform.close();
    },
  };
}

describe('jobs', () => {
  let database: TestDatabase;
  let scheduler: Platform;
  const runs: Run[] = [];
  let running: { stop: () => Promise<void> } | undefined;
  const ran = (value: number) => runs.filter((run) => run.value === value);

  before(async () => {
    database = await createTestDatabase();
    // An API process: it schedules but runs no jobs.
    scheduler = await createPlatform(
      parseConfig({
        NODE_ENV: 'test',
        NATS_URL: '',
        ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      }),
      database.url,
    );
  });
  after(async () => {
    await running?.stop();
    await scheduler.close();
    await database.drop();
  });

  it('runs a job scheduled while no worker was up once one starts', async () => {
    await scheduler.database.db
      .transaction()
      .execute((trx) =>
        schedule(trx, { name: 'platform.test', payload: { value: 1 } }, new Date(Date.now() - 1000)),
      );
    running = await worker(database.url, runs);
    await waitFor('the job to run', async () => ran(1).length === 1);
  });

  it('runs a scheduled job once at its time, not before', async () => {
    const runAt = new Date(Date.now() + 1500);
    await scheduler.database.db
      .transaction()
      .execute((trx) => schedule(trx, { name: 'platform.test', payload: { value: 2 }, key: 'once' }, runAt));
    await waitFor('the job to run', async () => ran(2).length === 1, 5000);
    const [run] = ran(2);
    assert.ok(run!.at >= runAt.getTime(), `ran ${runAt.getTime() - run!.at} ms early`);
    assert.ok(run!.at - runAt.getTime() < 1000, `ran ${run!.at - runAt.getTime()} ms late`);
    assert.equal(run!.key, 'once');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(ran(2).length, 1);
  });

  it('never runs a cancelled job, nor one whose transaction rolled back', async () => {
    const { db } = scheduler.database;
    await db
      .transaction()
      .execute((trx) =>
        schedule(
          trx,
          { name: 'platform.test', payload: { value: 3 }, key: 'cancel-me' },
          new Date(Date.now() + 600),
        ),
      );
    const removed = await db.transaction().execute((trx) => cancel(trx, 'cancel-me'));
    assert.equal(removed, true);
    assert.equal(await db.transaction().execute((trx) => cancel(trx, 'cancel-me')), false);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await schedule(trx, { name: 'platform.test', payload: { value: 4 } }, new Date());
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(ran(3).length, 0);
    assert.equal(ran(4).length, 0);
  });

  it('reschedules by key: the latest time and payload win', async () => {
    const { db } = scheduler.database;
    await db
      .transaction()
      .execute((trx) =>
        schedule(
          trx,
          { name: 'platform.test', payload: { value: 5 }, key: 'moving' },
          new Date(Date.now() + 60_000),
        ),
      );
    await db
      .transaction()
      .execute((trx) =>
        schedule(
          trx,
          { name: 'platform.test', payload: { value: 6 }, key: 'moving' },
          new Date(Date.now() + 300),
        ),
      );
    await waitFor('the rescheduled job', async () => ran(6).length === 1, 5000);
    assert.equal(ran(5).length, 0);
  });

  it('registers recurring jobs with the library and rejects ones without a handler', async () => {
    const config = parseConfig({
      NODE_ENV: 'test',
      NATS_URL: '',
      ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    });
    const platform = await createPlatform(config, database.url);
    try {
      platform.jobs.define('platform.test', async () => {});
      platform.jobs.recurring({ name: 'platform.test', cron: '*/5 * * * *', payload: { value: 7 } });
      const stop = await platform.jobs.start();
      await stop();
      const { rows } = await scheduler.database.pool.query(
        'select identifier from graphile_worker._private_known_crontabs',
      );
      assert.deepEqual(
        rows.map((row) => row.identifier),
        ['platform.test@*/5 * * * *'],
      );
    } finally {
      await platform.close();
    }
    const bad = await createPlatform(config, database.url);
    try {
      bad.jobs.define('platform.test', async () => {});
      assert.throws(() => bad.jobs.define('platform.test', async () => {}), /defined twice/);
      assert.throws(() => parseConfig({ JOBS_POLL_INTERVAL_MS: '5' }), /JOBS_POLL_INTERVAL_MS/);
    } finally {
      await bad.close();
    }
  });
});
