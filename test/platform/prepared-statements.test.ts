import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Database, preparingPool } from '../../src/platform/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// DATABASE_PREPARED_STATEMENTS: the query builder's data statements become named prepared
// statements on their connection (parsed once, then bound); utility statements stay unnamed.
let testDb: TestDatabase;
let database: Database;
before(async () => {
  testDb = await createTestDatabase();
  database = createDatabase({ url: testDb.url, poolMax: 1, preparedStatements: true });
});
after(async () => {
  await database?.close();
  await testDb?.drop();
});

it('prepares each distinct query once per connection and answers as before', async () => {
  const { db } = database;
  const read = () =>
    db.selectFrom('bus_subscriptions').select('group_name').where('event_type', '=', 'x').execute();
  assert.deepEqual(await read(), []);
  await db.transaction().execute(async (trx) => {
    await sql`insert into bus_subscriptions (group_name, event_type) values (${'g'}, ${'x'})`.execute(trx);
  });
  assert.deepEqual(await read(), [{ group_name: 'g' }]);
  // One connection (poolMax 1): its prepared statements are the ones named so far.
  const { rows } = await sql<{ name: string; statement: string }>`
    select name, statement from pg_prepared_statements order by prepare_time`.execute(db);
  const names = rows.map((r) => r.name);
  assert.ok(
    names.every((n) => n.startsWith('o2o_')),
    names.join(','),
  );
  assert.equal(
    rows.filter((r) => r.statement.includes('from "bus_subscriptions"')).length,
    1,
    'prepared once',
  );
  assert.ok(rows.some((r) => r.statement.startsWith('insert into bus_subscriptions')));
  assert.ok(!rows.some((r) => /^\s*(begin|commit)/i.test(r.statement)), 'BEGIN and COMMIT are not prepared');
});

it('prepares the reader statements too when the reads go to a replica', async () => {
  // The same database standing in for a replica: outside a request, reads route to it.
  const withReplica = createDatabase({
    url: testDb.url,
    poolMax: 1,
    replicaUrls: [testDb.url],
    preparedStatements: true,
  });
  try {
    await withReplica.reader
      .selectFrom('bus_subscriptions')
      .select('event_type')
      .where('group_name', '=', 'replica')
      .execute();
    // The replica's pool holds one connection: the one that just prepared the read.
    const { rows } = await sql<{ statement: string }>`
      select statement from pg_prepared_statements`.execute(withReplica.reader);
    assert.ok(
      rows.some((r) => r.statement.includes('select "event_type" from "bus_subscriptions"')),
      rows.map((r) => r.statement).join('\n'),
    );
  } finally {
    await withReplica.close();
  }
});

it('keeps one wrapper per pooled client, and lets a discarded client go', async () => {
  const pool = new pg.Pool({ connectionString: testDb.url, max: 1 });
  // pool.end() resolves once its clients are out of the pool, not once their connections have closed: the
  // discarded one could still be closing when `after` drops the database, whose termination then reached it
  // as an unhandled error. Wait for every client's own end.
  const closed: Array<Promise<void>> = [];
  pool.on('connect', (client) => closed.push(new Promise((resolve) => client.once('end', () => resolve()))));
  try {
    const preparing = preparingPool(pool);
    const first = await preparing.connect();
    first.release();
    const again = await preparing.connect();
    // The same pg client, so the same wrapper: Kysely keeps its connection object per wrapper.
    assert.equal(again, first);
    // Kysely releases a connection it discarded (a failed rollback) with true: pg destroys it.
    (again.release as (discard?: boolean) => void)(true);
    const fresh = await preparing.connect();
    assert.notEqual(fresh, first);
    assert.deepEqual((await fresh.query('select 1 as one', [])).rows, [{ one: 1 }]);
    fresh.release();
  } finally {
    await pool.end();
    await Promise.all(closed);
  }
});
