import { type Kysely, sql, type Transaction } from 'kysely';

/**
 * Day partitions of `analytics_events` (range on `occurred_at`, UTC days):
 * `analytics_events_pYYYYMMDD`. Upkeep creates today's and the next days',
 * and any earlier day whose rows sit in the default partition (a day the job
 * had not created yet: the rows move into their partition in the same
 * transaction), then drops the partitions that ended before the retention
 * cutoff and deletes expired rows left in the default partition.
 */
export const EVENTS_TABLE = 'analytics_events';
const DEFAULT_PARTITION = `${EVENTS_TABLE}_default`;
const DAY_MS = 86_400_000;

export const dayStart = (at: Date | number): Date => {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS);
};

export const partitionName = (day: Date): string =>
  `${EVENTS_TABLE}_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;

/** The UTC day a partition name stands for, or undefined for another name. */
export function partitionDay(name: string): Date | undefined {
  const match = /^analytics_events_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!match) return undefined;
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

export interface UpkeepOptions {
  retentionDays: number;
  daysAhead: number;
  now?: Date;
}

export interface UpkeepResult {
  created: string[];
  dropped: string[];
  /** Rows moved from the default partition into a partition created for their day. */
  moved: number;
  /** Expired rows deleted from the default partition. */
  expired: number;
}

async function createDay(trx: Transaction<unknown>, day: Date): Promise<number> {
  const from = day.toISOString();
  const to = new Date(day.getTime() + DAY_MS).toISOString();
  const create = sql`create table if not exists ${sql.table(partitionName(day))}
    partition of ${sql.table(EVENTS_TABLE)} for values from (${sql.lit(from)}) to (${sql.lit(to)})`;
  const fallback = sql.table(DEFAULT_PARTITION);
  const { rows } = await sql<{ stranded: boolean }>`
    select exists (select 1 from ${fallback} where occurred_at >= ${from}::timestamptz and occurred_at < ${to}::timestamptz) as stranded`.execute(
    trx,
  );
  if (!rows[0]?.stranded) {
    await create.execute(trx);
    return 0;
  }
  // PostgreSQL refuses a partition whose rows sit in the default one: move them through a temp table.
  await sql`create temp table analytics_moving (like ${sql.table(EVENTS_TABLE)}) on commit drop`.execute(trx);
  const moved = await sql`
    with moved as (
      delete from ${fallback} where occurred_at >= ${from}::timestamptz and occurred_at < ${to}::timestamptz returning *
    )
    insert into analytics_moving select * from moved`.execute(trx);
  await create.execute(trx);
  await sql`insert into ${sql.table(EVENTS_TABLE)} select * from analytics_moving`.execute(trx);
  await sql`drop table analytics_moving`.execute(trx);
  return Number(moved.numAffectedRows ?? 0);
}

/** The day partitions that exist now. */
export async function listPartitions(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = ${EVENTS_TABLE}::regclass order by c.relname`.execute(db);
  return rows.map((r) => r.name).filter((name) => partitionDay(name) !== undefined);
}

/**
 * Idempotent; concurrent callers queue on an advisory lock and find the work
 * done. Creating or dropping a partition locks the parent briefly: a lock
 * wait over 5 s gives up (the job retries) rather than stall ingestion.
 */
export async function upkeepPartitions(
  db: Kysely<unknown>,
  { retentionDays, daysAhead, now = new Date() }: UpkeepOptions,
): Promise<UpkeepResult> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('partitions:analytics_events'))`.execute(trx);
    await sql`set local lock_timeout = '5s'`.execute(trx);
    const today = dayStart(now);
    const cutoff = new Date(today.getTime() - retentionDays * DAY_MS);
    const existing = new Set(await listPartitions(trx));
    const wanted = new Map<string, Date>();
    for (let i = 0; i <= daysAhead; i++) {
      const day = new Date(today.getTime() + i * DAY_MS);
      wanted.set(partitionName(day), day);
    }
    const { rows: stranded } = await sql<{ day: Date }>`
      select distinct date_bin('1 day', occurred_at, timestamptz '2000-01-01 00:00:00+00') as day
      from ${sql.table(DEFAULT_PARTITION)} where occurred_at >= ${cutoff.toISOString()}::timestamptz`.execute(
      trx,
    );
    for (const { day } of stranded) wanted.set(partitionName(new Date(day)), new Date(day));
    const result: UpkeepResult = { created: [], dropped: [], moved: 0, expired: 0 };
    for (const [name, day] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
      if (existing.has(name)) continue;
      result.moved += await createDay(trx, day);
      result.created.push(name);
    }
    for (const name of existing) {
      const day = partitionDay(name);
      // A partition whose whole day ended before the cutoff.
      if (day && day.getTime() + DAY_MS <= cutoff.getTime()) {
        await sql`drop table ${sql.table(name)}`.execute(trx);
        result.dropped.push(name);
      }
    }
    const expired =
      await sql`delete from ${sql.table(DEFAULT_PARTITION)} where occurred_at < ${cutoff.toISOString()}::timestamptz`.execute(
        trx,
      );
    result.expired = Number(expired.numAffectedRows ?? 0);
    return result;
  });
}
