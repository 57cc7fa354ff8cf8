import { sql } from 'kysely';
import type { Executor } from '../bus/publish.ts';
import { activeContext } from '../observability/tracing.ts';
import type { JobMap, JobName } from './job-map.ts';

export interface JobRequest<N extends JobName> {
  name: N;
  payload: JobMap[N];
  /**
   * Makes the job addressable: scheduling the same key again replaces the
   * pending job (new time, new payload), and `cancel(trx, key)` removes it.
   */
  key?: string;
  /** Attempts before graphile-worker gives up (it retries with exponential backoff). */
  maxAttempts?: number;
}

/**
 * Enqueues a job in the caller's transaction: a rolled-back change schedules
 * nothing, a committed one runs at `runAt` even if this process dies.
 */
export async function schedule<N extends JobName>(
  trx: Executor,
  job: JobRequest<N>,
  runAt: Date = new Date(),
): Promise<void> {
  const trace = activeContext();
  const payload = trace && isRecord(job.payload) ? { ...job.payload, [TRACE_KEY]: trace } : job.payload;
  await sql`
    select graphile_worker.add_job(
      identifier => ${job.name}::text,
      payload => ${JSON.stringify(payload)}::json,
      run_at => ${runAt.toISOString()}::timestamptz,
      max_attempts => ${job.maxAttempts ?? 10}::int,
      job_key => ${job.key ?? null}::text
    )`.execute(trx);
}

/**
 * Where a job's payload carries the trace context of the span that scheduled
 * it (only when tracing is on); the runner takes it out before the handler sees it.
 */
export const TRACE_KEY = '__trace';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Removes a pending job by key, in the caller's transaction; a job already running finishes. */
export async function cancel(trx: Executor, key: string): Promise<boolean> {
  const { rows } = await sql<{ id: string | null }>`
    select (graphile_worker.remove_job(${key}::text)).id as id`.execute(trx);
  return rows[0]?.id !== null && rows[0]?.id !== undefined;
}
