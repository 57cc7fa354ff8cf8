import { EventEmitter } from 'node:events';
import {
  parseCronItems,
  type Runner,
  run,
  type TaskList,
  type Worker,
  type WorkerEvents,
} from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import { inConsumerSpan, type TraceCarrier } from '../observability/tracing.ts';
import { startIntervalTasks } from './interval-runner.ts';
import type { JobMap, JobName } from './job-map.ts';
import { graphileLogger } from './logger.ts';
import { TRACE_KEY } from './schedule.ts';

export interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  runAt: Date;
  key: string | null;
}

export type JobHandler<N extends JobName> = (payload: JobMap[N], context: JobContext) => Promise<void>;

export type RecurringJob<N extends JobName> = CronJob<N> | IntervalJob<N>;

export interface CronJob<N extends JobName> {
  name: N;
  /** Standard five-field cron expression, in UTC. */
  cron: string;
  payload: JobMap[N];
  /** Runs missed occurrences up to this far back when a worker starts (default: none). */
  backfillMs?: number;
}

/** Runs at worker start, then every `everyMs`, once per period across all workers (interval-runner.ts). */
export interface IntervalJob<N extends JobName> {
  name: N;
  everyMs: number;
  payload: JobMap[N];
}

export interface Jobs {
  /** Registers the code that runs a job; only processes that define a job run it. */
  define<N extends JobName>(name: N, handler: JobHandler<N>): void;
  /**
   * Runs a defined job on a cron schedule or every `everyMs`; each occurrence
   * runs once across all workers. The only way a module runs periodic work.
   */
  recurring<N extends JobName>(job: RecurringJob<N>): void;
  /** Starts the runner when any job is defined; returns the graceful stop. */
  start(): Promise<() => Promise<void>>;
}

export interface JobsOptions {
  database: Database;
  databaseUrl: string;
  registry: Registry;
  log: Logger;
  concurrency: number;
  /**
   * How often each idle graphile-worker worker looks for jobs anyway: the
   * safety net. Jobs due now are announced by NOTIFY, and jobs due later are
   * started by a timer set for the next due one (see `startDueTimer`).
   */
  pollIntervalMs: number;
}

/**
 * Delayed and recurring jobs on graphile-worker: jobs live in PostgreSQL, are
 * added in the caller's transaction (see schedule.ts), locked with SKIP
 * LOCKED, retried with exponential backoff, and cron occurrences are
 * de-duplicated across workers by the library.
 */
export function createJobs(options: JobsOptions): Jobs {
  const tasks: TaskList = {};
  const cron: Array<CronJob<JobName>> = [];
  const intervals: Array<IntervalJob<JobName>> = [];
  const handlers = new Map<JobName, JobHandler<JobName>>();
  const lag = new Histogram({
    name: 'jobs_start_lag_seconds',
    help: 'From a job being due to it starting',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [options.registry],
  });
  const finished = new Counter({
    name: 'jobs_finished_total',
    help: 'Job runs by name and result',
    labelNames: ['job', 'result'],
    registers: [options.registry],
  });
  const restarts = new Counter({
    name: 'jobs_runner_restarts_total',
    help: 'Times the job runner ended or lost a worker on its own and was started again',
    registers: [options.registry],
  });
  new Gauge({
    name: 'jobs_queue_depth',
    help: 'Jobs waiting, by whether they are due now or later',
    labelNames: ['state'],
    registers: [options.registry],
    async collect() {
      const { rows } = await sql<{ due: number; later: number }>`
        select count(*) filter (where run_at <= now())::int as due,
               count(*) filter (where run_at > now())::int as later
        from graphile_worker._private_jobs where locked_at is null and attempts < max_attempts`
        .execute(options.database.db)
        .catch(() => ({ rows: [] as { due: number; later: number }[] }));
      if (!rows[0]) return;
      this.set({ state: 'due' }, rows[0].due);
      this.set({ state: 'later' }, rows[0].later);
    },
  });

  return {
    define(name, handler) {
      if (tasks[name]) throw new Error(`job "${name}" is defined twice`);
      handlers.set(name, handler as JobHandler<JobName>);
      tasks[name] = async (payload, helpers) => {
        const { job } = helpers;
        const { body, trace } = splitTrace(payload);
        await inConsumerSpan(
          `job ${name}`,
          trace,
          { 'job.name': name, 'job.id': String(job.id), 'job.attempt': job.attempts },
          () =>
            handler(body as JobMap[typeof name], {
              jobId: String(job.id),
              attempt: job.attempts,
              runAt: new Date(job.run_at),
              key: job.key,
            }),
        );
      };
    },
    recurring(job) {
      if ('everyMs' in job) intervals.push(job as IntervalJob<JobName>);
      else cron.push(job as CronJob<JobName>);
    },
    async start() {
      if (Object.keys(tasks).length === 0) return async () => {};
      for (const item of [...cron, ...intervals]) {
        if (!tasks[item.name])
          throw new Error(`recurring job "${item.name}" has no handler: define it first`);
      }
      const events: WorkerEvents = new EventEmitter();
      events.on('job:start', ({ job }) =>
        lag.observe(Math.max(0, (Date.now() - job.run_at.getTime()) / 1000)),
      );
      events.on('job:success', ({ job }) => finished.inc({ job: job.task_identifier, result: 'success' }));
      events.on('job:error', ({ job }) => finished.inc({ job: job.task_identifier, result: 'error' }));
      const dueTimer = startDueTimer(options.database, events, options.log);
      // Our own pool, so shutdown can wait for it to end (the library's own is
      // ended without waiting, and its late errors would reach no listener).
      // Jobs run at least once by nature: a lock or completion lost to a
      // database crash only means a job runs again, so the runner's own commits
      // need not wait for the disk (they would cap it at the fsync rate).
      // Jobs are still added synchronously, in the caller's transaction.
      const pool = new pg.Pool({
        connectionString: options.databaseUrl,
        max: options.concurrency + 2,
        application_name: 'one2one-love-jobs',
        options: '-c synchronous_commit=off',
      });
      pool.on('error', () => {});
      pool.on('connect', (client) => client.on('error', () => {}));
      const startRunner = (): Promise<Runner> =>
        run({
          pgPool: pool,
          concurrency: options.concurrency,
          pollInterval: options.pollIntervalMs,
          noHandleSignals: true,
          taskList: tasks,
          parsedCronItems: parseCronItems(
            cron.map((item) => ({
              task: item.name,
              match: item.cron,
              payload: item.payload as Record<string, unknown>,
              identifier: `${item.name}@${item.cron}`,
              options: { backfillPeriod: item.backfillMs ?? 0 },
            })),
          ),
          logger: graphileLogger(options.log),
          events,
        });
      const supervisor = await superviseRunner(startRunner, events, options.log, restarts).catch(
        async (error: unknown) => {
          await pool.end();
          throw error;
        },
      );
      const stopIntervals = startIntervalTasks(
        options.database,
        intervals.map((item) => ({
          name: item.name,
          everyMs: item.everyMs,
          run: () =>
            inConsumerSpan(`job ${item.name}`, null, { 'job.name': item.name }, () =>
              handlers.get(item.name)!(item.payload, {
                jobId: `interval:${item.name}`,
                attempt: 1,
                runAt: new Date(),
                key: item.name,
              }),
            ),
        })),
        options.log,
      );
      options.log.info(
        { jobs: Object.keys(tasks), recurring: cron.length + intervals.length },
        'job runner started',
      );
      // stop() waits for running jobs; a job cut off by the shutdown timeout is unlocked by the library later.
      return async () => {
        dueTimer.stop();
        await stopIntervals();
        await supervisor.stop();
        await pool.end();
      };
    },
  };
}

/** The longest wait between two attempts to start the runner again. */
export const MAX_RUNNER_RESTART_DELAY_MS = 30_000;

/** 0.5 s, 1 s, 2 s ... up to 30 s, each between half and all of that (restarted workers spread out). */
export function runnerRestartDelay(attempt: number, random = Math.random): number {
  const cap = Math.min(MAX_RUNNER_RESTART_DELAY_MS, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * Keeps a graphile-worker runner running until `stop()`. The runner ends on
 * its own when its cron loop fails (a query at a minute boundary while
 * PostgreSQL restarts: the library "aborts" and leaves rescheduling to the
 * caller), and a worker whose job's completion cannot be written ("committing
 * seppuku") leaves the pool one worker short for good; with every worker gone
 * the process ran no job while looking healthy. Either way the runner is
 * stopped (waiting for the jobs in hand) and started again, with backoff while
 * the database refuses, so jobs run again once PostgreSQL is back. Done here
 * rather than by failing a probe: `start` runs the API in the same process,
 * and compose or a single box has no Kubernetes to restart it.
 */
async function superviseRunner(
  startRunner: () => Promise<Runner>,
  events: WorkerEvents,
  log: Pick<Logger, 'error' | 'warn' | 'info'>,
  restarts: Pick<Counter, 'inc'>,
): Promise<{ stop(): Promise<void> }> {
  /** Runners whose promise has settled: stopping one again throws "Runner is already stopped". */
  const ended = new WeakSet<Runner>();
  let current = await startRunner();
  let stopping = false;
  let restarting: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const stopRunner = async (runner: Runner) => {
    if (ended.has(runner)) return;
    await runner.stop().catch((error: unknown) => log.warn({ err: error }, 'stopping the job runner failed'));
  };
  const restart = async (broken: Runner) => {
    await stopRunner(broken);
    for (let attempt = 1; !stopping; attempt++) {
      await sleep(runnerRestartDelay(attempt));
      if (stopping) return;
      try {
        current = await startRunner();
        watch(current);
        restarts.inc();
        log.info({ attempt }, 'job runner restarted');
        return;
      } catch (error) {
        log.warn({ err: error, attempt }, 'restarting the job runner failed; trying again');
      }
    }
  };
  const broken = (runner: Runner, reason: string, error?: unknown) => {
    if (stopping || runner !== current || restarting) return;
    log.error({ err: error }, `job runner ${reason}: restarting it`);
    restarting = restart(runner).finally(() => {
      restarting = undefined;
    });
  };
  function watch(runner: Runner) {
    runner.promise.then(
      () => {
        ended.add(runner);
        broken(runner, 'ended on its own');
      },
      (error: unknown) => {
        ended.add(runner);
        broken(runner, 'failed', error);
      },
    );
  }
  watch(current);
  events.on('worker:fatalError', ({ error }) => broken(current, 'lost a worker', error));
  process.on('unhandledRejection', onCronFailure);

  return {
    async stop() {
      stopping = true;
      process.off('unhandledRejection', onCronFailure);
      wake?.();
      await restarting;
      await stopRunner(current);
    },
  };
}

/** An error out of graphile-worker's cron loop (compiled, or its source through a source map). */
const CRON_FRAME = /graphile-worker[\\/](?:dist[\\/]cron\.js|src[\\/]cron\.ts)/;

/**
 * graphile-worker 0.16 rejects its cron loop's promise when a query fails, and
 * besides the runner's promise (which the supervisor watches) it chains
 * `cron.promise.finally(...)` and drops the result: an unhandled rejection,
 * which ends a Node process. A PostgreSQL restart at a minute boundary took
 * the worker (and, under `start`, the API) down with it. That one rejection
 * is logged away here, since the supervisor restarts the runner; any other is
 * thrown on, which ends the process as Node would have.
 */
function onCronFailure(reason: unknown): void {
  if (reason instanceof Error && CRON_FRAME.test(reason.stack ?? '')) return;
  throw reason;
}

/** Takes the scheduler's trace context (see schedule.ts) out of a job's payload. */
function splitTrace(payload: unknown): { body: unknown; trace: TraceCarrier | null } {
  if (typeof payload !== 'object' || payload === null || !(TRACE_KEY in payload)) {
    return { body: payload, trace: null };
  }
  const { [TRACE_KEY]: trace, ...body } = payload as Record<string, unknown>;
  return { body, trace: (trace as TraceCarrier | null) ?? null };
}

/**
 * Starts jobs that fall due later without polling for them. graphile-worker
 * announces new jobs by NOTIFY (each wakes an idle worker, which finds nothing
 * when the job is for later) and otherwise polls every pollInterval per
 * worker. Here, whenever a worker's fetch comes back empty (the queue holds
 * nothing due now), one statement (debounced across workers) reads when the
 * next job falls due, and a timer nudges an idle worker then; while nudged
 * workers find jobs, each start nudges one more idle worker, so a crowd of
 * jobs due together is worked by every slot. A job added for later by another
 * process NOTIFYs, so its empty fetch sets the timer too; a failed job's retry
 * is found by the empty fetch that follows it. The library's poll stays as
 * the safety net, so a lost notification costs latency, never the job.
 */
/**
 * The longest the due timer sleeps before it looks again. Node's timers hold at most 2^31-1 ms
 * (24.8 days) and turn anything longer into 1 ms: a job 30 days ahead (an unlinked couple's
 * purge) made the timer fire at once, nudge a worker into an empty fetch, read the same due
 * time and fire again, a loop of queries for as long as that job waited. An hour's sleep then
 * a fresh read costs nothing.
 */
export const MAX_DUE_WAIT_MS = 60 * 60 * 1000;

/** How long the due timer waits for a job due in `waitMs`: just past it, never past the cap. */
export function dueTimerDelay(waitMs: number): number {
  return Math.min(Math.max(0, Math.ceil(waitMs) + 5), MAX_DUE_WAIT_MS);
}

function startDueTimer(
  database: Database,
  events: WorkerEvents,
  log: Pick<Logger, 'warn'>,
): { stop(): void } {
  const workers = new Set<Worker>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let draining = false;
  let reading: Promise<void> | undefined;
  let again = false;

  const nudgeOne = () => {
    for (const worker of workers) {
      try {
        if (worker.nudge()) return true;
      } catch {
        workers.delete(worker); // released while shutting down
      }
    }
    return false;
  };
  const arm = (waitMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      draining = true;
      nudgeOne();
    }, dueTimerDelay(waitMs));
    timer.unref();
  };
  const readNextDue = async () => {
    const { rows } = await sql<{ wait_ms: number | null }>`
      select (extract(epoch from min(run_at) - now()) * 1000)::float8 as wait_ms
      from graphile_worker._private_jobs where is_available = true and run_at > now()`.execute(database.db);
    const waitMs = rows[0]?.wait_ms ?? null;
    if (stopped) return;
    if (waitMs === null) {
      clearTimeout(timer);
      timer = undefined;
    } else {
      arm(waitMs);
    }
  };
  const refresh = () => {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    // A moment's pause gathers the empty fetches of several workers into one read.
    reading = new Promise<void>((resolve) => setTimeout(resolve, 20))
      .then(readNextDue)
      .catch((error: unknown) => log.warn({ err: error }, 'reading the next due job failed'))
      .finally(() => {
        reading = undefined;
        if (again) {
          again = false;
          refresh();
        }
      });
  };

  events.on('worker:create', ({ worker }) => workers.add(worker));
  events.on('worker:release', ({ worker }) => workers.delete(worker));
  events.on('worker:getJob:empty', () => {
    draining = false;
    refresh();
  });
  events.on('job:start', () => {
    if (draining) nudgeOne();
  });
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
