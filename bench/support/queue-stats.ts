import type pg from 'pg';
import { QUEUE_TABLES } from '../../src/platform/db/queue-tables.ts';

/**
 * What the worker has still to do and how much dead weight the queue tables
 * carry, read from the bench's own connection to the product's database: the
 * soak prints it per window to tell a worker falling behind (the backlog
 * grows) from bloat (dead rows grow while the backlog stays small).
 */
export interface QueueStats {
  /** Outbox rows not yet relayed into deliveries. */
  unrelayed: number;
  /** Bus deliveries due now (not yet handled), and the age of the oldest in ms. */
  dueDeliveries: number;
  oldestDueMs: number;
  /** graphile-worker jobs waiting (not locked, due). */
  pendingJobs: number;
  /** Per queue table: live rows (counted), dead tuples (statistics), vacuums so far (auto and manual). */
  tables: Record<string, { live: number; dead: number; autovacuums: number; vacuums: number }>;
}

export async function readQueueStats(db: pg.Client): Promise<QueueStats> {
  const backlog = (
    await db.query<{ unrelayed: number; due: number; oldest: number | null; jobs: number }>(`
      select
        (select count(*) from outbox_events where relayed_at is null)::int as unrelayed,
        (select count(*) from bus_deliveries where run_at <= now())::int as due,
        (select extract(epoch from now() - min(run_at)) * 1000 from bus_deliveries where run_at <= now())::float8 as oldest,
        (select count(*) from graphile_worker._private_jobs where locked_at is null and run_at <= now())::int as jobs`)
  ).rows[0]!;
  // The statistics collector's view is per backend snapshot: clear it so each window reads fresh counts.
  await db.query('select pg_stat_clear_snapshot()');
  const { rows } = await db.query<{
    name: string;
    live: string;
    dead: string;
    autovacuums: string;
    vacuums: string;
  }>(
    `select schemaname || '.' || relname as name, n_live_tup as live, n_dead_tup as dead,
            autovacuum_count as autovacuums, vacuum_count as vacuums
     from pg_stat_user_tables where schemaname || '.' || relname = any($1::text[])`,
    [[...QUEUE_TABLES]],
  );
  const tables: QueueStats['tables'] = {};
  for (const row of rows) {
    // n_live_tup drifts from the truth between vacuums on a table that only inserts and deletes: count.
    const counted = await db.query<{ n: number }>(`select count(*)::int as n from ${row.name}`);
    tables[row.name] = {
      live: counted.rows[0]!.n,
      dead: Number(row.dead),
      autovacuums: Number(row.autovacuums),
      vacuums: Number(row.vacuums),
    };
  }
  return {
    unrelayed: backlog.unrelayed,
    dueDeliveries: backlog.due,
    oldestDueMs: Math.round(backlog.oldest ?? 0),
    pendingJobs: backlog.jobs,
    tables,
  };
}

/** `bus_deliveries 152/91.7k av3` per table: live/dead tuples and autovacuum runs, short names. */
export function formatTables(stats: QueueStats): string {
  const short = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n));
  return Object.entries(stats.tables)
    .filter(([name]) => !name.endsWith('_known_crontabs'))
    .map(
      ([name, t]) =>
        `${name.replace(/^.*\.(_private_)?/, '')} ${short(t.live)}/${short(t.dead)} av${t.autovacuums}`,
    )
    .join(', ');
}
