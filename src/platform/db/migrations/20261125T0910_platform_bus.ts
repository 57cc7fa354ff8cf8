import { type Kysely, sql } from 'kysely';

// The bus's own state beside the outbox: which rows were relayed, who
// subscribes to what, pending deliveries per consumer group, processed event
// ids per group (idempotency) and dead letters.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Relay claims rows by state, never by a high-water position, so a row whose
  // transaction commits after a later position was relayed is still picked up.
  await db.schema.alterTable('outbox_events').addColumn('relayed_at', 'timestamptz').execute();
  await sql`create index outbox_events_unrelayed on outbox_events (position) where relayed_at is null`.execute(
    db,
  );
  // Wakes relays at commit time; the poll behind it is only a safety net.
  await sql`
    create function outbox_events_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('o2o_outbox', '');
      return null;
    end $$`.execute(db);
  await sql`
    create trigger outbox_events_notify after insert on outbox_events
    for each statement execute function outbox_events_notify()`.execute(db);

  await db.schema
    .createTable('bus_subscriptions')
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('bus_subscriptions_pk', ['group_name', 'event_type'])
    .execute();
  await db.schema
    .createIndex('bus_subscriptions_type')
    .on('bus_subscriptions')
    .column('event_type')
    .execute();

  await db.schema
    .createTable('bus_deliveries')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('bus_deliveries_due')
    .on('bus_deliveries')
    .columns(['group_name', 'run_at', 'id'])
    .execute();

  await db.schema
    .createTable('bus_processed')
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('bus_processed_pk', ['group_name', 'event_id'])
    .execute();

  await db.schema
    .createTable('bus_dead_letters')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('bus_dead_letters_group')
    .on('bus_dead_letters')
    .columns(['group_name', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['bus_dead_letters', 'bus_processed', 'bus_deliveries', 'bus_subscriptions']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop trigger outbox_events_notify on outbox_events`.execute(db);
  await sql`drop function outbox_events_notify()`.execute(db);
  await db.schema.alterTable('outbox_events').dropColumn('relayed_at').execute();
}
