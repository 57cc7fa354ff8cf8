import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { PgListener } from '../../src/platform/bus/listener.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let testDb: TestDatabase;
before(async () => {
  testDb = await createTestDatabase();
});
after(() => testDb?.drop());

const connectionsNamed = async (name: string) => {
  const client = new pg.Client({ connectionString: testDb.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where application_name = $1',
      [name],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
};

it('leaves no connection behind when closed while it is still connecting', async () => {
  const name = `listener-${randomUUID().slice(0, 8)}`;
  const errors: unknown[] = [];
  const listener = new PgListener(testDb.url, (error) => errors.push(error), name);
  listener.on('o2o_test_channel', () => {});
  listener.begin(); // connects in the background
  await listener.close(); // before the connection and its LISTEN are done
  // Give the background start time to finish (and, before the fix, to keep its connection).
  for (let i = 0; i < 50 && (await connectionsNamed(name)) > 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await connectionsNamed(name), 0, 'the late connection was ended');
  assert.deepEqual(errors, []);
});

it('closes a started listener, and a server-side end after close reports no error', async () => {
  const name = `listener-${randomUUID().slice(0, 8)}`;
  const errors: unknown[] = [];
  const listener = new PgListener(testDb.url, (error) => errors.push(error), name);
  listener.on('o2o_test_channel', () => {});
  await listener.start();
  assert.equal(await connectionsNamed(name), 1);
  await listener.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(await connectionsNamed(name), 0);
  assert.deepEqual(errors, []);
});
