import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Kysely } from 'kysely';
import { createDatabase, type Database } from '../../src/platform/db/database.ts';
import { queryTemplate } from '../../src/platform/db/query-template.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// queryTemplate: a hot query built with Kysely once per shape, then only bound. It must send
// exactly the text and the parameters the builder would, whatever the values.
interface Tables {
  bus_subscriptions: { group_name: string; event_type: string };
}
let testDb: TestDatabase;
let database: Database;
let db: Kysely<Tables>;
before(async () => {
  testDb = await createTestDatabase();
  database = createDatabase({ url: testDb.url, poolMax: 2, preparedStatements: true });
  db = database.db as Kysely<Tables>;
  await db
    .insertInto('bus_subscriptions')
    .values([
      { group_name: 'tmpl-a', event_type: 'x.one' },
      { group_name: 'tmpl-a', event_type: 'x.two' },
      { group_name: 'tmpl-b', event_type: 'x.one' },
    ])
    .execute();
});
after(async () => {
  await database?.close();
  await testDb?.drop();
});

type Params = { group: string; type: string; limit: number };
const build = (q: Kysely<Tables>, p: Params, shape: string) => {
  let query = q
    .selectFrom('bus_subscriptions')
    .select(['group_name', 'event_type'])
    .where('group_name', '=', p.group);
  if (shape === 'typed') query = query.where('event_type', '=', p.type);
  return query.orderBy('event_type').limit(p.limit);
};

it('sends what the builder sends, for every shape and any values', async () => {
  const subscriptions = queryTemplate(build);
  for (const [shape, params] of [
    ['', { group: 'tmpl-a', type: 'unused', limit: 10 }],
    ['typed', { group: 'tmpl-a', type: 'x.two', limit: 10 }],
    ['', { group: 'tmpl-a', type: 'unused', limit: 1 }],
    ['typed', { group: 'tmpl-b', type: 'x.one', limit: 5 }],
    ['', { group: 'nobody', type: '', limit: 3 }],
  ] as Array<[string, Params]>) {
    const direct = build(db, params, shape);
    const { rows } = await subscriptions(db, params, shape);
    assert.deepEqual(rows, await direct.execute(), `${shape} ${JSON.stringify(params)}`);
  }
});

it('runs in a transaction as on the pool', async () => {
  const subscriptions = queryTemplate(build);
  const rows = await db.transaction().execute(async (trx) => {
    await trx.insertInto('bus_subscriptions').values({ group_name: 'tmpl-t', event_type: 'x.t' }).execute();
    return (await subscriptions(trx, { group: 'tmpl-t', type: '', limit: 5 })).rows;
  });
  assert.deepEqual(rows, [{ group_name: 'tmpl-t', event_type: 'x.t' }]);
});

it('refuses a parameter used other than as a value, which would freeze it into the text', () => {
  const computed = queryTemplate((q: Kysely<Tables>, p: { group: string }) =>
    q.selectFrom('bus_subscriptions').select('group_name').where('group_name', '=', `${p.group}-suffix`),
  );
  assert.throws(() => computed(db, { group: 'tmpl-a' }), /p\.group was used other than as a value/);
});

it('shows the query a call would send without sending it (plan tests explain it)', () => {
  const subscriptions = queryTemplate(build);
  for (const [shape, params] of [
    ['typed', { group: 'tmpl-b', type: 'x.one', limit: 5 }],
    ['', { group: 'nobody', type: '', limit: 3 }],
  ] as Array<[string, Params]>) {
    const { sql, parameters } = subscriptions.compiled(db, params, shape);
    const direct = build(db, params, shape).compile();
    assert.deepEqual({ sql, parameters }, { sql: direct.sql, parameters: direct.parameters });
  }
});
