import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { migrations } from '../../src/migrations.ts';
import { outboxEvent, publish, publishAll, withEvents } from '../../src/platform/bus/publish.ts';
import { migrateDown, migrateToLatest } from '../../src/platform/db/migrator.ts';
import { newId } from '../../src/platform/ids.ts';
import { useTestDatabase } from '../support/database.ts';

// No relay runs here: the test database has the tables only.
const testDb = useTestDatabase();
const db = () => testDb.database.db as unknown as Kysely<unknown>;

const MIGRATION = '20261204T1700_platform_outbox_unrelayed';

/** The positions waiting for the relay, and what an earlier version's relay would take. */
async function queues(ids: string[]) {
  const { rows } = await sql<{ id: string; waiting: boolean; legacy: boolean }>`
    select o.id, exists (select 1 from outbox_unrelayed u where u.position = o.position) as waiting,
      o.relayed_at is null as legacy
    from outbox_events o where o.id = any(${ids}::uuid[]) order by o.position`.execute(db());
  return rows;
}

it('queues every row however it enters the outbox, and leaves none for an earlier relay', async () => {
  const one = await publish(testDb.database.db, 'platform.test', { value: 1 });
  const batch = [1, 2, 3].map((value) => outboxEvent('platform.test', { value }));
  await testDb.database.db.transaction().execute((trx) => publishAll(trx, batch));
  const statement = outboxEvent('platform.test', { value: 4 });
  await withEvents(testDb.database.db, [statement]).selectNoFrom(sql<number>`1`.as('one')).execute();
  const plain = [newId(), newId()];
  await sql`insert into outbox_events (id, type, data)
    select id, 'platform.test', '{}' from unnest(${plain}::uuid[]) as t(id)`.execute(db());

  const ids = [one.id, ...batch.map((e) => e.row.id), statement.row.id, ...plain];
  const rows = await queues(ids);
  assert.equal(rows.length, ids.length);
  for (const row of rows) assert.deepEqual(row, { id: row.id, waiting: true, legacy: false });
});

it('the migration hands the rows an earlier relay has not taken to the queue, once each', async () => {
  const reverted = await migrateDown(db(), migrations);
  assert.deepEqual(reverted, [MIGRATION], 'this is the latest migration (else revert down to it)');
  try {
    // As before it: a waiting row has relayed_at null; one relayed already has it set.
    const [waiting, taken, done] = [newId(), newId(), newId()];
    await sql`insert into outbox_events (id, type, data, relayed_at) values
      (${waiting}, 'platform.test', '{}', null), (${taken}, 'platform.test', '{}', null),
      (${done}, 'platform.test', '{}', now())`.execute(db());

    // An earlier relay (PostgreSQL transport: claim, fan-out and mark in one statement) has marked
    // `taken` and not committed yet when the migration starts; the migration waits for it.
    const relay = await testDb.database.pool.connect();
    try {
      await relay.query('begin');
      await relay.query('update outbox_events set relayed_at = now() where id = $1', [taken]);
      const migrated = migrateToLatest(db(), migrations);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await relay.query('commit');
      assert.deepEqual(await migrated, [MIGRATION]);
    } finally {
      relay.release();
    }

    assert.deepEqual(await queues([waiting, taken, done]), [
      { id: waiting, waiting: true, legacy: false },
      { id: taken, waiting: false, legacy: false },
      { id: done, waiting: false, legacy: false },
    ]);
  } finally {
    await migrateToLatest(db(), migrations);
  }
});
