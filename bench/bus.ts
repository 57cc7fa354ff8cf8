/**
 * Event bus and job benchmark: `npx tsx bench/bus.ts` with DATABASE_URL (and
 * NATS_URL for the JetStream runs) pointing at real servers.
 *
 * - events/s end to end (publish in a transaction → handler committed) per
 *   transport, with one and two worker processes;
 * - scheduled-job lag p50/p99 when 10,000 jobs fall due within one minute.
 *
 * Each run gets a fresh database (and a fresh stream), so runs never mix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'kysely';
import { publish } from '../src/platform/bus/publish.ts';
import { createDatabase, type Database } from '../src/platform/db/database.ts';
import { schedule } from '../src/platform/jobs/schedule.ts';
import { deleteStream, testStreamName } from '../test/support/bus.ts';
import { createTestDatabase } from '../test/support/database.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const PUBLISHERS = 8;
/**
 * Events per publishing transaction. PostgreSQL here commits only ~500
 * transactions/s (fdatasync on this disk), so one event per transaction
 * measures the disk, not the bus; 10 is a request that emits a few events.
 */
const PER_TRANSACTION = Number(process.env.BENCH_PER_TX ?? 10);
const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const JOB_WINDOW_MS = 60_000;

function worker(url: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bus-worker.ts', url], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
  });
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.removeAllListeners('exit');
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function count(database: Database, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
    database.db,
  );
  return rows[0]!.n;
}

async function waitForCount(database: Database, table: string, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await count(database, table)) < n) {
    if (Date.now() > deadline)
      throw new Error(`timed out: ${await count(database, table)} of ${n} in ${table}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withRun<T>(
  transport: 'postgres' | 'nats',
  workers: number,
  fn: (database: Database) => Promise<T>,
): Promise<T> {
  const testDb = await createTestDatabase();
  const database = createDatabase({ url: testDb.url, poolMax: PUBLISHERS + 2 });
  const stream = testStreamName();
  const env = {
    NODE_ENV: 'production',
    ENCRYPTION_KEYS: 'bench:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    JWT_SIGNING_KEYS: 'unused',
    NATS_URL: transport === 'nats' ? process.env.NATS_URL! : '',
    NATS_STREAM: stream,
    JOBS_CONCURRENCY: '8',
  };
  await sql`create table bench_effects (event_id uuid primary key, occurred_at timestamptz not null,
    done_at timestamptz not null default clock_timestamp())`.execute(database.db);
  await sql`create table bench_job_runs (job_id bigint primary key, run_at timestamptz not null,
    started_at timestamptz not null default clock_timestamp())`.execute(database.db);
  const children = await Promise.all(Array.from({ length: workers }, () => worker(testDb.url, env)));
  try {
    return await fn(database);
  } finally {
    await stopAll(children);
    await database.close();
    await testDb.drop();
    await deleteStream(process.env.NATS_URL, stream);
  }
}

async function eventsRun(transport: 'postgres' | 'nats', workers: number) {
  return withRun(transport, workers, async (database) => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PUBLISHERS }, async () => {
        while (next < EVENTS) {
          next += PER_TRANSACTION;
          await database.db.transaction().execute(async (trx) => {
            for (let i = 0; i < PER_TRANSACTION; i++)
              await publish(trx, 'platform.test', { value: next + i });
          });
        }
      }),
    );
    const published = performance.now();
    await waitForCount(database, 'bench_effects', EVENTS, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await sql<{ p50: number; p99: number }>`
      select percentile_cont(0.5) within group (order by extract(epoch from done_at - occurred_at)) * 1000 as p50,
             percentile_cont(0.99) within group (order by extract(epoch from done_at - occurred_at)) * 1000 as p99
      from bench_effects`.execute(database.db);
    return {
      transport,
      workers,
      eventsPerSecond: Math.round(EVENTS / seconds),
      publishPerSecond: Math.round(EVENTS / ((published - started) / 1000)),
      latencyP50Ms: Math.round(rows[0]!.p50),
      latencyP99Ms: Math.round(rows[0]!.p99),
    };
  });
}

async function jobsRun(workers: number) {
  return withRun('postgres', workers, async (database) => {
    const start = Date.now() + 3000;
    for (let batch = 0; batch < JOBS / 500; batch++) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 500; i++) {
          const n = batch * 500 + i;
          const runAt = new Date(start + Math.floor((n / JOBS) * JOB_WINDOW_MS));
          await schedule(trx, { name: 'platform.test', payload: { value: n } }, runAt);
        }
      });
    }
    await waitForCount(database, 'bench_job_runs', JOBS, JOB_WINDOW_MS + 60_000);
    const { rows } = await sql<{ p50: number; p99: number; max: number }>`
      select percentile_cont(0.5) within group (order by extract(epoch from started_at - run_at)) * 1000 as p50,
             percentile_cont(0.99) within group (order by extract(epoch from started_at - run_at)) * 1000 as p99,
             max(extract(epoch from started_at - run_at)) * 1000 as max
      from bench_job_runs`.execute(database.db);
    return {
      workers,
      jobs: JOBS,
      lagP50Ms: Math.round(rows[0]!.p50),
      lagP99Ms: Math.round(rows[0]!.p99),
      lagMaxMs: Math.round(rows[0]!.max),
    };
  });
}

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (and NATS_URL for the JetStream runs)');
  const only = process.argv[2];
  const transports: Array<'postgres' | 'nats'> = process.env.NATS_URL ? ['postgres', 'nats'] : ['postgres'];
  if (only !== 'jobs') {
    process.stdout.write(
      `\n${EVENTS} events, ${PUBLISHERS} publishers, ${PER_TRANSACTION} events per transaction\n`,
    );
    process.stdout.write(
      `\n| transport | workers | events/s end to end | publish/s | latency p50 | latency p99 |\n`,
    );
    process.stdout.write(`|---|---|---|---|---|---|\n`);
    for (const transport of transports) {
      for (const workers of [1, 2]) {
        const r = await eventsRun(transport, workers);
        process.stdout.write(
          `| ${r.transport} | ${r.workers} | ${r.eventsPerSecond} | ${r.publishPerSecond} | ${r.latencyP50Ms} ms | ${r.latencyP99Ms} ms |\n`,
        );
      }
    }
  }
  if (only !== 'events') {
    process.stdout.write(
      `\n| job workers | jobs due within ${JOB_WINDOW_MS / 1000} s | lag p50 | lag p99 | lag max |\n`,
    );
    process.stdout.write(`|---|---|---|---|---|\n`);
    const r = await jobsRun(1);
    process.stdout.write(
      `| ${r.workers} | ${r.jobs} | ${r.lagP50Ms} ms | ${r.lagP99Ms} ms | ${r.lagMaxMs} ms |\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
