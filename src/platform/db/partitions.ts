import { type Kysely, sql, type Transaction } from 'kysely';
import { idFloor } from '../ids.ts';

/**
 * Monthly partitions of a table partitioned `by range (id)` on UUIDv7 ids:
 * a month's partition holds the ids from the smallest UUIDv7 of its first
 * millisecond (UTC) up to that of the next month's. The table also has a
 * `<table>_default` partition, so an insert never fails for want of a month.
 */
export interface MonthPartition {
  /** `<table>_pYYYY_MM`, e.g. `love_notes_notes_p2026_11`. */
  name: string;
  from: string;
  to: string;
}

/** The partition of `table` for the month `monthIndex` (0-based, may overflow) of `year`. */
export function monthPartition(table: string, year: number, monthIndex: number): MonthPartition {
  const start = new Date(Date.UTC(year, monthIndex, 1));
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  return {
    name: `${table}_p${y}_${String(m + 1).padStart(2, '0')}`,
    from: idFloor(start),
    to: idFloor(Date.UTC(y, m + 1, 1)),
  };
}

export const defaultPartition = (table: string): string => `${table}_default`;

// The Unix milliseconds in the first 48 bits of a UUIDv7, as SQL.
const idMillis = sql`('x' || left(replace(id::text, '-', ''), 12))::bit(48)::bigint`;

interface ForeignKey {
  owner: string;
  name: string;
  definition: string;
}

/**
 * Foreign keys that point at `table` (top-level ones: PostgreSQL clones them
 * onto partitions itself). Moving rows out of the default partition deletes
 * and re-inserts them, which would fire their ON DELETE CASCADE, so they are
 * dropped around the move and re-added (and re-validated) after it.
 */
async function referencingKeys(trx: Transaction<unknown>, table: string): Promise<ForeignKey[]> {
  const { rows } = await sql<ForeignKey>`
    select conrelid::regclass::text as owner, conname as name, pg_get_constraintdef(oid) as definition
    from pg_constraint
    where confrelid = ${table}::regclass and contype = 'f' and conparentid = 0
    order by conrelid::regclass::text, conname`.execute(trx);
  return rows;
}

/**
 * Creates one month's partition. PostgreSQL refuses to create it while the
 * default partition holds rows of that month, so those rows move into it in
 * the same transaction. Returns how many rows moved.
 */
async function createMonth(trx: Transaction<unknown>, table: string, month: MonthPartition): Promise<number> {
  const parent = sql.table(table);
  const fallback = sql.table(defaultPartition(table));
  const create = sql`create table if not exists ${sql.table(month.name)} partition of ${parent}
    for values from (${sql.lit(month.from)}) to (${sql.lit(month.to)})`;
  const { rows } = await sql<{ stranded: boolean }>`
    select exists (select 1 from ${fallback} where id >= ${month.from}::uuid and id < ${month.to}::uuid) as stranded`.execute(
    trx,
  );
  if (!rows[0]?.stranded) {
    await create.execute(trx);
    return 0;
  }
  const keys = await referencingKeys(trx, table);
  for (const key of keys) {
    await sql`alter table ${sql.raw(key.owner)} drop constraint ${sql.id(key.name)}`.execute(trx);
  }
  await sql`create temp table partition_moving (like ${parent}) on commit drop`.execute(trx);
  const moved = await sql`
    with moved as (
      delete from ${fallback} where id >= ${month.from}::uuid and id < ${month.to}::uuid returning *
    )
    insert into partition_moving select * from moved`.execute(trx);
  await create.execute(trx);
  await sql`insert into ${parent} select * from partition_moving`.execute(trx);
  await sql`drop table partition_moving`.execute(trx);
  for (const key of keys) {
    await sql`alter table ${sql.raw(key.owner)} add constraint ${sql.id(key.name)} ${sql.raw(key.definition)}`.execute(
      trx,
    );
  }
  return Number(moved.numAffectedRows ?? 0);
}

export interface PartitionUpkeep {
  /** A table partitioned by range on a UUIDv7 `id`, with a `<table>_default` partition. */
  table: string;
  /** Months after the current one to create ahead of time. */
  monthsAhead: number;
  now?: Date;
}

export interface UpkeepResult {
  created: string[];
  /** Rows moved out of the default partition into the partitions created. */
  moved: number;
}

/**
 * Makes sure the partitions of the current month and the next `monthsAhead`
 * exist, and those of any earlier month whose rows sit in the default
 * partition (inserted while a worker was down). Idempotent; concurrent callers
 * queue on an advisory lock and find the work done.
 */
export async function ensureMonthlyPartitions(
  db: Kysely<unknown>,
  { table, monthsAhead, now = new Date() }: PartitionUpkeep,
): Promise<UpkeepResult> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`partitions:${table}`}))`.execute(trx);
    // Creating a partition locks the parent: give up (the job retries) rather
    // than queue every insert behind a long transaction holding it.
    await sql`set local lock_timeout = '5s'`.execute(trx);
    const year = now.getUTCFullYear();
    const first = now.getUTCMonth();
    const months = new Map<string, MonthPartition>();
    for (let i = 0; i <= monthsAhead; i++) {
      const month = monthPartition(table, year, first + i);
      months.set(month.name, month);
    }
    const horizon = monthPartition(table, year, first + monthsAhead).to;
    const { rows: stranded } = await sql<{ year: number; month: number }>`
      select distinct extract(year from at)::int as year, extract(month from at)::int as month
      from (select to_timestamp(${idMillis} / 1000.0) at time zone 'UTC' as at
            from ${sql.table(defaultPartition(table))}
            where substr(id::text, 15, 1) = '7' and id < ${horizon}::uuid) as ids`.execute(trx);
    for (const row of stranded) {
      const month = monthPartition(table, row.year, row.month - 1);
      months.set(month.name, month);
    }
    const result: UpkeepResult = { created: [], moved: 0 };
    for (const month of [...months.values()].sort((a, b) => a.from.localeCompare(b.from))) {
      const { rows } = await sql<{ exists: boolean }>`
        select to_regclass(${month.name}) is not null as exists`.execute(trx);
      if (rows[0]?.exists) continue;
      result.moved += await createMonth(trx, table, month);
      result.created.push(month.name);
    }
    return result;
  });
}
