import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { migrations } from '../../src/migrations.ts';
import { migrateDown, migrateToLatest } from '../../src/platform/db/migrator.ts';
import { useTestDatabase } from '../support/database.ts';

const testDb = useTestDatabase();

const tableExists = async (name: string) =>
  (
    await sql<{ exists: boolean }>`select to_regclass(${name}) is not null as exists`.execute(
      testDb.database.db,
    )
  ).rows[0]?.exists;

it('migrates every module down to nothing and back up', async () => {
  const names = Object.keys(migrations);
  assert.deepEqual(names, [...names].sort(), 'migration names must sort in the order they apply');
  assert.equal(await tableExists('outbox_events'), true);

  const reverted: string[] = [];
  for (;;) {
    const step = await migrateDown(testDb.database.db, migrations);
    if (step.length === 0) break;
    reverted.push(...step);
  }
  assert.deepEqual(reverted, [...names].reverse());
  assert.equal(await tableExists('outbox_events'), false);

  assert.deepEqual(await migrateToLatest(testDb.database.db, migrations), names);
  assert.equal(await tableExists('outbox_events'), true);
  assert.deepEqual(await migrateToLatest(testDb.database.db, migrations), [], 'a second run applies nothing');
});
