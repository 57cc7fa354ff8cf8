import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { migrations } from '../../src/migrations.ts';
import { migrateDown, migrateToLatest } from '../../src/platform/db/migrator.ts';
import { newId } from '../../src/platform/ids.ts';
import { useTestDatabase } from '../support/database.ts';

const testDb = useTestDatabase();

/** 20261202T1701_auth_single_sources: auth's copies of the display name and the terms consent move to users. */
it('hands auth’s display names and terms consents over to users, then drops them', async () => {
  const db = testDb.database.db;
  const name = '20261202T1701_auth_single_sources';
  const reverted: string[] = [];
  while (!reverted.includes(name)) {
    const step = await migrateDown(db, migrations);
    assert.ok(step.length > 0, `${name} was never reverted`);
    reverted.push(...step);
  }
  const [noProfile, unnamed, named, erased] = [newId(), newId(), newId(), newId()];
  for (const [id, status] of [
    [noProfile, 'active'],
    [unnamed, 'active'],
    [named, 'active'],
    [erased, 'deleted'],
  ] as const) {
    await sql`insert into auth_accounts (id, email, display_name, status)
      values (${id}, ${`${id}@example.test`}, ${`Auth ${id.slice(-4)}`}, ${status})`.execute(db);
  }
  await sql`insert into users_profiles (user_id, display_name) values (${unnamed}, null), (${named}, 'Chosen')`.execute(
    db,
  );
  await sql`insert into auth_terms_consents (user_id, terms_version, ip)
    values (${noProfile}, '2026-01-01', '192.0.2.1')`.execute(db);

  await migrateToLatest(db, migrations);

  const names = await sql<{ user_id: string; display_name: string | null }>`
    select user_id, display_name from users_profiles where user_id in (${noProfile}, ${unnamed}, ${named}, ${erased})`.execute(
    db,
  );
  const byId = new Map(names.rows.map((r) => [r.user_id, r.display_name]));
  assert.equal(byId.get(noProfile), `Auth ${noProfile.slice(-4)}`);
  assert.equal(byId.get(unnamed), `Auth ${unnamed.slice(-4)}`);
  assert.equal(byId.get(named), 'Chosen', 'a name the user chose in the profile wins');
  assert.equal(byId.has(erased), false, 'an erased account is not brought back');
  const consents = await sql<{ type: string; version: string; granted: boolean; ip: string }>`
    select type, version, granted, ip from users_consents where user_id = ${noProfile}`.execute(db);
  assert.deepEqual(consents.rows, [{ type: 'terms', version: '2026-01-01', granted: true, ip: '192.0.2.1' }]);
  const gone = await sql<{ table: string | null; column: number }>`
    select to_regclass('auth_terms_consents')::text as table,
      (select count(*)::int from information_schema.columns
        where table_name = 'auth_accounts' and column_name = 'display_name') as column`.execute(db);
  assert.deepEqual(gone.rows[0], { table: null, column: 0 });
});
