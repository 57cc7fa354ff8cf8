import { type Kysely, sql } from 'kysely';

/**
 * Autovacuum settings for queue tables: rows that are inserted, updated or
 * deleted within seconds, so the live set stays small while dead rows pile
 * up. The default trigger (20% of the table's size) lets a table of 150 live
 * rows collect tens of thousands of dead ones between vacuums under a steady
 * load, and every claim then scans them. These vacuum after a fixed number of
 * dead (or inserted) rows whatever the size, without the cost-based pauses.
 */
export const QUEUE_AUTOVACUUM = {
  autovacuum_vacuum_scale_factor: 0,
  autovacuum_vacuum_threshold: 1000,
  autovacuum_vacuum_insert_scale_factor: 0,
  autovacuum_vacuum_insert_threshold: 5000,
  autovacuum_analyze_scale_factor: 0,
  autovacuum_analyze_threshold: 5000,
  autovacuum_vacuum_cost_delay: 0,
} as const;

/**
 * Every queue table, with its schema; test/platform/queue-autovacuum.test.ts
 * checks each carries QUEUE_AUTOVACUUM. Modules' tables are listed here too so
 * that one list says which tables churn (each is altered by its own module's migration).
 */
export const QUEUE_TABLES = [
  'public.outbox_events',
  'public.bus_deliveries',
  'public.bus_processed',
  'public.platform_recurring_runs',
  'public.notifications_deliveries',
  'graphile_worker._private_jobs',
  'graphile_worker._private_job_queues',
  'graphile_worker._private_known_crontabs',
] as const;

const options = sql.raw(
  Object.entries(QUEUE_AUTOVACUUM)
    .map(([name, value]) => `${name} = ${value}`)
    .join(', '),
);

/** `ALTER TABLE … SET (QUEUE_AUTOVACUUM)`; `table` is a trusted literal (schema-qualified if needed). */
export async function setQueueAutovacuum(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`alter table ${sql.raw(table)} set (${options})`.execute(db);
}

export async function resetQueueAutovacuum(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`alter table ${sql.raw(table)} reset (${sql.raw(Object.keys(QUEUE_AUTOVACUUM).join(', '))})`.execute(
    db,
  );
}

/**
 * Whether the server runs without autovacuum: then QUEUE_AUTOVACUUM does nothing (a table's
 * settings only tune a launcher that is not running), nothing is vacuumed or analyzed, and the
 * queue tables' dead rows and dead index entries grow until a manual VACUUM, so every claim and
 * relay pass reads more of them (docs/benchmarks.md, "Soak"). The worker warns at start.
 */
export async function autovacuumIsOff(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ value: string }>`select current_setting('autovacuum') as value`.execute(db);
  return rows[0]?.value === 'off';
}
