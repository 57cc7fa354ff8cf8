import { type Kysely, sql } from 'kysely';

// Notes are couple-scoped: couple_id leads the primary key and every index, so
// the table distributes by couple (Citus) without a cross-shard constraint.
// Templates and settings are user-scoped and keyed by user_id the same way.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('love_notes_notes')
    .addColumn('couple_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('sender_id', 'uuid', (c) => c.notNull())
    .addColumn('recipient_id', 'uuid', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('mood', 'text')
    .addColumn('template_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('note'))
    .addColumn('series_id', 'uuid')
    .addColumn('scheduled_at', 'timestamptz')
    .addColumn('time_zone', 'text')
    .addColumn('local_start', 'text')
    .addColumn('recurrence', 'text')
    .addColumn('paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('read_at', 'timestamptz')
    .addColumn('read_receipt', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('hidden_by_recipient', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('favorite_by_sender', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('favorite_by_recipient', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('love_notes_pkey', ['couple_id', 'id'])
    .addCheckConstraint(
      'love_notes_status',
      sql`status in ('scheduled', 'sent', 'delivered', 'read', 'cancelled')`,
    )
    .addCheckConstraint('love_notes_kind', sql`kind in ('note', 'series')`)
    .execute();
  // Inbox and sent box, newest delivery first: the keyset the list pages on.
  await sql`create index love_notes_inbox on love_notes_notes (couple_id, recipient_id, delivered_at desc, id desc)
    where kind = 'note' and delivered_at is not null`.execute(db);
  await sql`create index love_notes_sent on love_notes_notes (couple_id, sender_id, delivered_at desc, id desc)`.execute(
    db,
  );
  // The pending count per sender (limit of 100), and the due sweep.
  await sql`create index love_notes_pending on love_notes_notes (sender_id) where status = 'scheduled'`.execute(
    db,
  );
  await sql`create index love_notes_due on love_notes_notes (scheduled_at)
    where status = 'scheduled' and not paused`.execute(db);
  // Erasure finds a person's received notes without knowing the couple.
  await sql`create index love_notes_recipient on love_notes_notes (recipient_id)`.execute(db);

  await db.schema
    .createTable('love_notes_reactions')
    .addColumn('couple_id', 'uuid', (c) => c.notNull())
    .addColumn('note_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('emoji', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('love_note_reactions_pkey', ['couple_id', 'note_id', 'user_id', 'emoji'])
    .addForeignKeyConstraint(
      'love_note_reactions_note',
      ['couple_id', 'note_id'],
      'love_notes_notes',
      ['couple_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('love_notes_templates')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('love_note_templates_pkey', ['user_id', 'id'])
    .execute();

  await db.schema
    .createTable('love_notes_settings')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('read_receipts', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'love_notes_settings',
    'love_notes_templates',
    'love_notes_reactions',
    'love_notes_notes',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
