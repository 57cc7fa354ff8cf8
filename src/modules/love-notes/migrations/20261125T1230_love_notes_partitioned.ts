import { type Kysely, sql } from 'kysely';
import { defaultPartition, monthPartition } from '../../../platform/db/partitions.ts';

// Notes become a table partitioned by month on their UUIDv7 id (its first 48
// bits are the creation time), so the primary key (couple_id, id) already
// holds the partition key and no column is added. A default partition takes
// ids of months not created yet; the worker's upkeep creates months ahead
// (src/modules/love-notes/partitions.ts).
//
// PostgreSQL cannot turn a table into a partitioned one in place: the rows are
// copied into a new table. Indexes and foreign keys (to and from the table) are
// read from the catalogue and replayed by name, so whatever a later branch
// added to the table before this runs is kept too. The down migration is the
// same rebuild into a plain table.

const TABLE = 'love_notes_notes';
const OLD = 'love_notes_notes_rebuilt';
const MONTHS_AHEAD = 3;

interface Definition {
  owner: string;
  name: string;
  definition: string;
}

async function rebuild(db: Kysely<unknown>, partitioned: boolean): Promise<void> {
  const { rows: indexes } = await sql<{ name: string; definition: string }>`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = ${TABLE}::regclass and not i.indisprimary
    order by c.relname`.execute(db);
  // Foreign keys both ways; top-level ones only (partitions carry clones).
  const { rows: keys } = await sql<Definition>`
    select conrelid::regclass::text as owner, conname as name, pg_get_constraintdef(oid) as definition
    from pg_constraint
    where contype = 'f' and conparentid = 0
      and (confrelid = ${TABLE}::regclass or conrelid = ${TABLE}::regclass)
    order by conrelid::regclass::text, conname`.execute(db);
  const { rows: primary } = await sql<{ name: string; definition: string }>`
    select conname as name, pg_get_constraintdef(oid) as definition
    from pg_constraint where conrelid = ${TABLE}::regclass and contype = 'p'`.execute(db);
  const pkey = primary[0];
  if (!pkey) throw new Error(`${TABLE} has no primary key`);

  for (const key of keys) {
    await sql`alter table ${sql.raw(key.owner)} drop constraint ${sql.id(key.name)}`.execute(db);
  }
  await sql`alter table ${sql.table(TABLE)} rename to ${sql.table(OLD)}`.execute(db);
  // Index and constraint names are unique per schema: free them for the new table.
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(db);
  await sql`alter table ${sql.table(OLD)} drop constraint ${sql.id(pkey.name)}`.execute(db);

  // LIKE copies columns in order, NOT NULL, defaults and named CHECK constraints.
  await sql`create table ${sql.table(TABLE)} (like ${sql.table(OLD)}
      including defaults including constraints including comments including storage)
    ${partitioned ? sql`partition by range (id)` : sql``}`.execute(db);
  await sql`alter table ${sql.table(TABLE)} add constraint ${sql.id(pkey.name)} ${sql.raw(pkey.definition)}`.execute(
    db,
  );
  if (partitioned) await createPartitions(db);
  // The definitions were read before the rename, so they name the new table;
  // an index read off a partitioned table says `ON ONLY`, which would not recurse.
  for (const index of indexes) await sql.raw(index.definition.replace(' ON ONLY ', ' ON ')).execute(db);
  await sql`insert into ${sql.table(TABLE)} select * from ${sql.table(OLD)}`.execute(db);
  await sql`drop table ${sql.table(OLD)}`.execute(db);
  for (const key of keys) {
    await sql`alter table ${sql.raw(key.owner)} add constraint ${sql.id(key.name)} ${sql.raw(key.definition)}`.execute(
      db,
    );
  }
}

/** Every month that holds a note, the current month and the next few, and the default partition. */
async function createPartitions(db: Kysely<unknown>): Promise<void> {
  const now = new Date();
  const horizon = monthPartition(TABLE, now.getUTCFullYear(), now.getUTCMonth() + MONTHS_AHEAD).to;
  // Only version-7 ids carry a time; anything else goes to the default partition.
  const { rows } = await sql<{ year: number; month: number }>`
    select distinct extract(year from at)::int as year, extract(month from at)::int as month
    from (select to_timestamp(('x' || left(replace(id::text, '-', ''), 12))::bit(48)::bigint / 1000.0)
                   at time zone 'UTC' as at
          from ${sql.table(OLD)}
          where substr(id::text, 15, 1) = '7' and id < ${horizon}::uuid) as ids`.execute(db);
  const months = new Map<string, ReturnType<typeof monthPartition>>();
  for (const row of rows) {
    const month = monthPartition(TABLE, row.year, row.month - 1);
    months.set(month.name, month);
  }
  for (let i = 0; i <= MONTHS_AHEAD; i++) {
    const month = monthPartition(TABLE, now.getUTCFullYear(), now.getUTCMonth() + i);
    months.set(month.name, month);
  }
  for (const month of months.values()) {
    await sql`create table ${sql.table(month.name)} partition of ${sql.table(TABLE)}
      for values from (${sql.lit(month.from)}) to (${sql.lit(month.to)})`.execute(db);
  }
  await sql`create table ${sql.table(defaultPartition(TABLE))} partition of ${sql.table(TABLE)} default`.execute(
    db,
  );
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, true);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, false);
}
