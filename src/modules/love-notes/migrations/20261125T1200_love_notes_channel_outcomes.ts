import { type Kysely, sql } from 'kysely';

// What the notifications module reports about each channel that carried a
// note to its recipient (push, email, ...), from its
// `notification.delivery-updated` events: one row per note and channel, keyed
// by couple like the notes, and gone with its note.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('love_notes_channel_outcomes')
    .addColumn('couple_id', 'uuid', (c) => c.notNull())
    .addColumn('note_id', 'uuid', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // Orders statuses so a late, stale event never moves a row backwards.
    .addColumn('rank', 'smallint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('love_notes_channel_outcomes_pkey', ['couple_id', 'note_id', 'channel'])
    .addForeignKeyConstraint(
      'love_notes_channel_outcomes_note',
      ['couple_id', 'note_id'],
      'love_notes_notes',
      ['couple_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('love_notes_channel_outcomes').execute();
}
