import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createDatabase } from '../../src/platform/db/database.ts';
import { schedule } from '../../src/platform/jobs/schedule.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { waitFor } from '../support/bus.ts';
import { migrate, oneSlotWorkerConfig } from './harness.ts';
import { needsBinary, type OwnPostgres, startPostgres } from './servers.ts';

interface Worker {
  platform: Platform;
  /** Values of the `platform.test` jobs run so far. */
  ran: number[];
  /** Messages logged so far. */
  logged: string[];
  /** Lets the job with value 1 finish (it waits until then). */
  release(): void;
  stop(): Promise<void>;
}

/** A worker process stand-in with one job slot, on the fault test's own PostgreSQL. */
async function startWorker(url: string): Promise<Worker> {
  const ran: number[] = [];
  const logged: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) });
  const platform = await createPlatform(oneSlotWorkerConfig(), url, log);
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  platform.jobs.define('platform.test', async ({ value }) => {
    ran.push(value);
    if (value === 1) await released;
  });
  const stopJobs = await platform.jobs.start();
  return {
    platform,
    ran,
    logged,
    release,
    async stop() {
      await stopJobs();
      await platform.close();
    },
  };
}

/** Schedules a job due now, retrying while the pool's connections cut by the restart are replaced. */
async function scheduleNow(platform: Platform, value: number): Promise<void> {
  await waitFor(`job ${value} to be scheduled`, () =>
    platform.database.db
      .transaction()
      .execute((trx) => schedule(trx, { name: 'platform.test', payload: { value } }, new Date()))
      .then(
        () => true,
        () => false,
      ),
  );
}

/**
 * graphile-worker's runner stops working on its own when PostgreSQL goes away
 * at the wrong moment; the worker process must run jobs again once it is back,
 * not keep running with no job runner.
 */
describe('fault: the job runner ends on its own', needsBinary('postgres'), () => {
  let pg: OwnPostgres;
  let worker: Worker | undefined;

  before(async () => {
    pg = await startPostgres();
    await migrate(pg.url);
  });
  after(async () => {
    await worker?.stop();
    await pg?.destroy();
  });

  it("runs jobs again after a worker died writing its job's completion while PostgreSQL was down", async () => {
    worker = await startWorker(pg.url);
    await scheduleNow(worker.platform, 1);
    await waitFor('job 1 to start', async () => worker!.ran.includes(1));
    await pg.stop();
    worker.release();
    // The only worker cannot record job 1 as done and exits ("committing seppuku").
    await waitFor('the worker to die', async () => worker!.logged.some((msg) => /seppuku/.test(msg)));
    await pg.start();
    await scheduleNow(worker.platform, 2);
    await waitFor('job 2 to run', async () => worker!.ran.includes(2), 30_000);
    await worker.stop();
    worker = undefined;
  });

  it('keeps the worker process up and running jobs after its cron loop failed on a minute boundary', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/fixtures/cron-worker.ts', pg.url],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const database = createDatabase({ url: pg.url, poolMax: 1 });
    try {
      await waitFor('the worker to start', async () => output.includes('started'), 30_000);
      // Down from 3 s before the next minute to 5 s after it: the cron loop's query at the minute fails.
      const untilMinute = () => 60_000 - (Date.now() % 60_000);
      if (untilMinute() < 10_000) await new Promise((resolve) => setTimeout(resolve, untilMinute() + 1000));
      await new Promise((resolve) => setTimeout(resolve, untilMinute() - 3000));
      const boundary = Date.now() + untilMinute();
      await pg.stop();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, boundary + 5000 - Date.now())));
      await pg.start();
      await waitFor('job 3 to be scheduled', () =>
        database.db
          .transaction()
          .execute((trx) => schedule(trx, { name: 'platform.test', payload: { value: 3 } }, new Date()))
          .then(
            () => true,
            () => false,
          ),
      );
      await waitFor('job 3 to run', async () => output.includes('ran 3') || child.exitCode !== null, 30_000);
      assert.equal(child.exitCode, null, `the worker exited (${child.exitCode}):\n${output}`);
      assert.match(output, /ran 3/);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      await database.close();
    }
  });
});
