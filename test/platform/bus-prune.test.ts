import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { pruneBus, UNSUBSCRIBED_ERROR } from '../../src/platform/bus/prune.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { useTestDatabase } from '../support/database.ts';

const testDb = useTestDatabase();

it('prunes old relayed events and processed ids, never ones still needed', async () => {
  const { database } = testDb;
  const { db } = database;
  const events = [];
  for (const value of [1, 2, 3, 4, 5]) events.push(await publish(db, 'platform.test', { value }));
  const [old, pending, dead, unrelayed, recent] = events;
  const ids = (events: Array<{ id: string }>) => events.map((e) => e.id);
  await sql`update outbox_events set relayed_at = now() - interval '30 days'
    where id = any(${ids([old!, pending!, dead!])}::uuid[])`.execute(db);
  await sql`update outbox_events set relayed_at = now() where id = ${recent!.id}`.execute(db);
  await sql`insert into bus_subscriptions (group_name, event_type) values ('g', 'platform.test')
    on conflict do nothing`.execute(db);
  await sql`insert into bus_deliveries (group_name, position)
    select 'g', position from outbox_events where id = ${pending!.id}`.execute(db);
  await sql`insert into bus_dead_letters (id, group_name, event_id, event_type, event, attempts, last_error)
    values (${newId()}, 'g', ${dead!.id}, 'platform.test', '{}', 3, 'boom')`.execute(db);
  await sql`insert into bus_processed (group_name, event_id, processed_at) values
    ('g', ${old!.id}, now() - interval '30 days'), ('g', ${recent!.id}, now())`.execute(db);

  assert.equal(await pruneBus(database), 2);
  const left = await sql<{ id: string }>`select id from outbox_events order by position`.execute(db);
  assert.deepEqual(
    left.rows.map((r) => r.id),
    ids([pending!, dead!, unrelayed!, recent!]),
  );
  const processed = await sql<{ event_id: string }>`select event_id from bus_processed`.execute(db);
  assert.deepEqual(
    processed.rows.map((r) => r.event_id),
    [recent!.id],
  );
});

it('prunes subscriptions no process has refreshed for a week, never fresh ones', async () => {
  const { db } = testDb.database;
  await sql`insert into bus_subscriptions (group_name, event_type, updated_at) values
    ('prune-g', 'gone.type', now() - interval '8 days'),
    ('prune-g', 'kept.type', now() - interval '6 days')`.execute(db);
  await pruneBus(testDb.database);
  const { rows } = await sql<{ event_type: string }>`
    select event_type from bus_subscriptions where group_name = 'prune-g'`.execute(db);
  assert.deepEqual(
    rows.map((r) => r.event_type),
    ['kept.type'],
  );
});

it('makes a dead letter of a delivery whose subscription was pruned, keeping its event', async () => {
  const { db } = testDb.database;
  const event = await publish(db, 'platform.test', { value: 42 });
  await sql`insert into bus_subscriptions (group_name, event_type, updated_at) values
    ('orphan-g', 'platform.test', now() - interval '8 days'),
    ('kept-g', 'platform.test', now())`.execute(db);
  await sql`insert into bus_deliveries (group_name, position, attempts)
    select g, position, 2 from outbox_events, unnest(array['orphan-g', 'kept-g']) as g
    where id = ${event.id}`.execute(db);

  assert.ok((await pruneBus(testDb.database)) >= 2, 'the stale subscription and the delivery');
  const deliveries = await sql<{ group_name: string }>`
    select group_name from bus_deliveries where position = (select position from outbox_events where id = ${event.id})`.execute(
    db,
  );
  assert.deepEqual(
    deliveries.rows.map((r) => r.group_name),
    ['kept-g'],
    'a delivery whose group still subscribes stays',
  );
  const dead = await sql<{
    group_name: string;
    event_type: string;
    attempts: number;
    last_error: string;
    event: { id: string; data: unknown };
  }>`
    select group_name, event_type, attempts, last_error, event from bus_dead_letters where event_id = ${event.id}`.execute(
    db,
  );
  assert.equal(dead.rows.length, 1);
  assert.equal(dead.rows[0]!.group_name, 'orphan-g');
  assert.equal(dead.rows[0]!.event_type, 'platform.test');
  assert.equal(dead.rows[0]!.attempts, 2);
  assert.equal(dead.rows[0]!.last_error, UNSUBSCRIBED_ERROR);
  assert.deepEqual(dead.rows[0]!.event.data, { value: 42 });
  assert.equal(dead.rows[0]!.event.id, event.id);
});
