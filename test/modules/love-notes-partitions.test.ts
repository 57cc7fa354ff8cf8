import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { v7 } from 'uuid';
import { migrations } from '../../src/migrations.ts';
import { migrateDown, migrateToLatest } from '../../src/platform/db/migrator.ts';
import { ensureMonthlyPartitions } from '../../src/platform/db/partitions.ts';
import { idFloor } from '../../src/platform/ids.ts';
import { useTestDatabase } from '../support/database.ts';

const testDb = useTestDatabase({ poolMax: 4 });
const TABLE = 'love_notes_notes';
const upkeep = (now: Date) =>
  ensureMonthlyPartitions(testDb.database.db, { table: TABLE, monthsAhead: 3, now });
const db = (): Kysely<unknown> => testDb.database.db;

/** A note made at `at` (its id carries the time), delivered then. */
async function insertNote(
  at: Date,
  id = v7({ msecs: at.getTime() }),
): Promise<{ coupleId: string; id: string }> {
  const coupleId = randomUUID();
  await sql`insert into love_notes_notes (couple_id, id, sender_id, recipient_id, body, status, delivered_at)
    values (${coupleId}, ${id}, ${randomUUID()}, ${randomUUID()}, 'ciphertext', 'delivered', ${at})`.execute(
    db(),
  );
  return { coupleId, id };
}

async function partitionOf(id: string): Promise<string | undefined> {
  const { rows } = await sql<{ partition: string }>`
    select tableoid::regclass::text as partition from love_notes_notes where id = ${id}`.execute(db());
  return rows[0]?.partition;
}

/** The partitions a query's plan reads. */
async function scanned(query: ReturnType<typeof sql>): Promise<string[]> {
  const { rows } = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${query}`.execute(db());
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record['Relation Name'] === 'string') names.add(record['Relation Name']);
    for (const child of Object.values(record)) walk(child);
  };
  walk(rows[0]?.['QUERY PLAN']);
  return [...names].sort();
}

const utc = (year: number, month: number, day = 1, hour = 0) =>
  new Date(Date.UTC(year, month - 1, day, hour));

it('creates this month and the next three, and routes each note to its month', async () => {
  const result = await upkeep(utc(2031, 3, 15));
  assert.deepEqual(result, {
    created: [
      'love_notes_notes_p2031_03',
      'love_notes_notes_p2031_04',
      'love_notes_notes_p2031_05',
      'love_notes_notes_p2031_06',
    ],
    moved: 0,
  });
  assert.deepEqual(
    await upkeep(utc(2031, 3, 15)),
    { created: [], moved: 0 },
    'a second run has nothing to do',
  );

  // The first and last millisecond of a month, in UTC.
  const first = await insertNote(utc(2031, 4));
  const last = await insertNote(new Date(utc(2031, 5).getTime() - 1));
  assert.equal(await partitionOf(first.id), 'love_notes_notes_p2031_04');
  assert.equal(await partitionOf(last.id), 'love_notes_notes_p2031_04');
  assert.equal(await partitionOf((await insertNote(utc(2031, 5))).id), 'love_notes_notes_p2031_05');
  // No partition for that month: the default one takes it rather than failing the insert.
  const august = await insertNote(utc(2031, 8));
  assert.equal(await partitionOf(august.id), 'love_notes_notes_default');
  await sql`delete from love_notes_notes where id = ${august.id}`.execute(db());
  // An id that is not time-ordered has no month either.
  assert.equal(
    await partitionOf((await insertNote(utc(2031, 4), randomUUID())).id),
    'love_notes_notes_default',
  );
});

it('moves notes stranded in the default partition into the month created for them, keeping their reactions', async () => {
  const future = await insertNote(utc(2035, 7, 20));
  const past = await insertNote(utc(2019, 3, 2));
  await sql`insert into love_notes_reactions (couple_id, note_id, user_id, emoji)
    values (${future.coupleId}, ${future.id}, ${randomUUID()}, '❤️')`.execute(db());
  await sql`insert into love_notes_channel_outcomes (couple_id, note_id, channel, status, rank, at)
    values (${future.coupleId}, ${future.id}, 'mobile_push', 'sent', 1, now())`.execute(db());
  assert.equal(await partitionOf(future.id), 'love_notes_notes_default');

  // In PostgreSQL, creating July's partition fails while the default holds a July row: upkeep moves it.
  const result = await upkeep(utc(2035, 5, 3));
  assert.deepEqual(result.created, [
    'love_notes_notes_p2019_03',
    'love_notes_notes_p2035_05',
    'love_notes_notes_p2035_06',
    'love_notes_notes_p2035_07',
    'love_notes_notes_p2035_08',
  ]);
  assert.equal(result.moved, 2);
  assert.equal(await partitionOf(future.id), 'love_notes_notes_p2035_07');
  assert.equal(await partitionOf(past.id), 'love_notes_notes_p2019_03');

  const count = async (table: string) =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.table(table)} where note_id = ${future.id}`.execute(db())
    ).rows[0]?.n;
  assert.equal(await count('love_notes_reactions'), 1, 'the move did not cascade to reactions');
  assert.equal(await count('love_notes_channel_outcomes'), 1);
  // The foreign keys are back and still cascade, and still refuse orphans.
  await assert.rejects(
    sql`insert into love_notes_reactions (couple_id, note_id, user_id, emoji)
      values (${future.coupleId}, ${randomUUID()}, ${randomUUID()}, '❤️')`.execute(db()),
    /love_note_reactions_note/,
  );
  await sql`delete from love_notes_notes where id = ${future.id}`.execute(db());
  assert.equal(await count('love_notes_reactions'), 0);
  // Channel outcomes have no foreign key (love-notes-outcomes-deletion.test.ts): the purge and the erasure remove them.
  assert.equal(await count('love_notes_channel_outcomes'), 1);
});

it('two upkeeps at once create each partition once and both succeed', async () => {
  const now = utc(2040, 1, 10);
  const [a, b] = await Promise.all([upkeep(now), upkeep(now)]);
  assert.deepEqual([...a.created, ...b.created].sort(), [
    'love_notes_notes_p2040_01',
    'love_notes_notes_p2040_02',
    'love_notes_notes_p2040_03',
    'love_notes_notes_p2040_04',
  ]);
});

it('prunes partitions for a lookup by id and for an inbox page bounded in time', async () => {
  await upkeep(utc(2045, 1, 1));
  const note = await insertNote(utc(2045, 2, 14));
  const byId = await scanned(
    sql`select * from love_notes_notes where couple_id = ${note.coupleId} and id = ${note.id}`,
  );
  assert.deepEqual(byId, ['love_notes_notes_p2045_02']);

  // A note is made before it is delivered, so `delivered_at < to` implies `id < idFloor(to)`.
  const inbox = await scanned(sql`
    select * from love_notes_notes
    where couple_id = ${note.coupleId} and recipient_id = ${randomUUID()} and kind = 'note'
      and delivered_at is not null and delivered_at >= ${utc(2045, 2)} and delivered_at < ${utc(2045, 4)}
      and id >= ${idFloor(utc(2045, 1))} and id < ${idFloor(utc(2045, 4))}
    order by delivered_at desc, id desc limit 21`);
  assert.deepEqual(inbox, [
    'love_notes_notes_p2045_01',
    'love_notes_notes_p2045_02',
    'love_notes_notes_p2045_03',
  ]);
});

const MIGRATION = '20261125T1230_love_notes_partitioned';

it('the migration moves existing notes into their months and back, keeping indexes and foreign keys', async () => {
  const shape = async () => ({
    indexes: (
      await sql<{
        name: string;
      }>`select indexname as name from pg_indexes where tablename = ${TABLE} order by 1`.execute(db())
    ).rows.map((row) => row.name),
    keys: (
      await sql<{ name: string }>`
        select conname as name from pg_constraint
        where confrelid = ${TABLE}::regclass and contype = 'f' and conparentid = 0 order by 1`.execute(db())
    ).rows.map((row) => row.name),
  });
  const latest = await shape();
  // The shape right after this migration (later ones change keys too: the outcomes' key went in 20261204T1400).
  let partitioned = latest;
  for (;;) {
    const before = await shape();
    const reverted = await migrateDown(db(), migrations);
    assert.equal(reverted.length, 1);
    if (reverted[0] === MIGRATION) {
      partitioned = before;
      break;
    }
  }
  const { rows: kind } = await sql<{ relkind: string }>`
    select relkind from pg_class where relname = ${TABLE}`.execute(db());
  assert.equal(kind[0]?.relkind, 'r', 'down leaves a plain table');
  assert.deepEqual(await shape(), partitioned, 'down keeps every index and foreign key');

  const october = await insertNote(utc(2026, 10, 31, 23));
  const unordered = await insertNote(utc(2026, 10, 1), randomUUID());
  await sql`insert into love_notes_reactions (couple_id, note_id, user_id, emoji)
    values (${october.coupleId}, ${october.id}, ${randomUUID()}, '🌹')`.execute(db());
  const before = (await sql<{ n: number }>`select count(*)::int as n from love_notes_notes`.execute(db()))
    .rows[0]?.n;

  await migrateToLatest(db(), migrations);
  assert.deepEqual(await shape(), latest);
  assert.equal(await partitionOf(october.id), 'love_notes_notes_p2026_10');
  assert.equal(await partitionOf(unordered.id), 'love_notes_notes_default');
  assert.equal(
    (await sql<{ n: number }>`select count(*)::int as n from love_notes_notes`.execute(db())).rows[0]?.n,
    before,
  );
  await sql`delete from love_notes_notes where id = ${october.id}`.execute(db());
  const { rows: left } = await sql<{ n: number }>`
    select count(*)::int as n from love_notes_reactions where note_id = ${october.id}`.execute(db());
  assert.equal(left[0]?.n, 0, 'deleting a note still cascades to its reactions');
});
