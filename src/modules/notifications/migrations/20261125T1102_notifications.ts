import { type Kysely, sql } from 'kysely';

// The notifications module's tables. Every table is user-scoped: `user_id`
// leads the primary key and every unique constraint, so they distribute by user.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications_items')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull())
    // The event it came from: the unique key below is what makes intake idempotent.
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .addPrimaryKeyConstraint('notifications_pkey', ['user_id', 'id'])
    .addUniqueConstraint('notifications_event_unique', ['user_id', 'event_id'])
    .execute();
  await sql`create index notifications_unread on notifications_items (user_id, id desc) where read_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('notifications_deliveries')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('notification_id', 'uuid', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // Why it was suppressed or failed, in a word (preference, no-target, invalid-target, permanent, ...).
    .addColumn('reason', 'text')
    .addColumn('digest', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('provider_message_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addPrimaryKeyConstraint('notifications_deliveries_pkey', ['user_id', 'id'])
    .addUniqueConstraint('notifications_deliveries_channel_unique', ['user_id', 'notification_id', 'channel'])
    .addForeignKeyConstraint(
      'notifications_deliveries_notification_fk',
      ['user_id', 'notification_id'],
      'notifications_items',
      ['user_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await sql`create index notifications_deliveries_failed on notifications_deliveries (id desc) where status = 'failed'`.execute(
    db,
  );
  await sql`create index notifications_deliveries_digest on notifications_deliveries (user_id) where digest and status = 'pending'`.execute(
    db,
  );
  await sql`create index notifications_deliveries_provider_id on notifications_deliveries (provider_message_id) where provider_message_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('notifications_push_subscriptions')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('push_subscriptions_pkey', ['user_id', 'id'])
    .addUniqueConstraint('push_subscriptions_endpoint_unique', ['user_id', 'endpoint'])
    .execute();

  await db.schema
    .createTable('notifications_devices')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notifications_devices_pkey', ['user_id', 'id'])
    .addUniqueConstraint('notifications_devices_token_unique', ['user_id', 'platform', 'token'])
    .execute();
  // A phone that signs in as someone else moves its token: found by token alone.
  await db.schema
    .createIndex('notifications_devices_token')
    .on('notifications_devices')
    .columns(['platform', 'token'])
    .execute();

  // How to reach a person, kept from events (user.registered) until the users module serves profiles.
  await db.schema
    .createTable('notifications_recipients')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('display_name', 'text')
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    // Minutes after local midnight; both null means no quiet hours.
    .addColumn('quiet_start', 'smallint')
    .addColumn('quiet_end', 'smallint')
    // Per category x channel switches that differ from the defaults, e.g. {"marketing":{"email":false}}.
    .addColumn('preferences', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'notifications_recipients',
    'notifications_devices',
    'notifications_push_subscriptions',
    'notifications_deliveries',
    'notifications_items',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
