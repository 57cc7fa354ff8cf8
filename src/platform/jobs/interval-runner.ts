import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';

export interface IntervalTask {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

/**
 * Recurring work more frequent than cron's minute, e.g. a 30 s backstop
 * sweep. Every worker ticks, but one claim per period wins across all of
 * them: the claim moves the task's `next_at` forward in one statement, so two
 * workers never run the same period and nothing stays locked when a worker
 * dies mid-run (the next period simply runs elsewhere). Handlers must be
 * idempotent, as every job is. Graphile's cron is used for everything that a
 * minute's resolution serves; this covers what it cannot.
 */
export function startIntervalTasks(
  database: Database,
  tasks: IntervalTask[],
  log: Pick<Logger, 'error'>,
): () => Promise<void> {
  let stopped = false;
  const running = new Set<Promise<void>>();
  const claim = async (task: IntervalTask): Promise<boolean> => {
    const { rows } = await sql<{ name: string }>`
      insert into platform_recurring_runs (name, next_at)
      values (${task.name}, now() + make_interval(secs => ${task.everyMs / 1000}))
      on conflict (name) do update set next_at = excluded.next_at
        where platform_recurring_runs.next_at <= now()
      returning name`.execute(database.db);
    return rows.length > 0;
  };
  const tick = (task: IntervalTask) => {
    if (stopped) return;
    const attempt = (async () => {
      if (!(await claim(task))) return;
      await task.run();
    })().catch((error: unknown) => log.error({ err: error, task: task.name }, 'recurring task failed'));
    running.add(attempt);
    void attempt.finally(() => running.delete(attempt));
  };
  const timers = tasks.map((task) => {
    tick(task);
    // A slightly faster tick than the period, so a claim is not missed by timer drift.
    const timer = setInterval(() => tick(task), Math.max(50, Math.floor(task.everyMs * 0.9)));
    timer.unref();
    return timer;
  });
  return async () => {
    stopped = true;
    for (const timer of timers) clearInterval(timer);
    await Promise.all(running);
  };
}
