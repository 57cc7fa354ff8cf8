import { type Kysely, sql } from 'kysely';

// A channel outcome's foreign key to its note is checked per inserted row by a
// trigger that runs a query against the partitioned notes table: measured on
// the note pipeline, the check took 210 µs of the 235 µs each outcome row cost
// (auto_explain: 28.6 ms of triggers for a 3.4 ms insert of 135 rows), the
// pipeline's costliest statement. The outcome insert reads its note by key and
// locks it against deletion for the transaction (`for key share`, what the
// check did), and the two paths that delete notes (a couple's purge, a
// person's erasure) delete their outcomes after them
// (src/modules/love-notes/channel-outcomes.ts).

// Orphans left by a note deleted by hand would never be read: clear them.
const deleteOrphans = (db: Kysely<unknown>) =>
  sql`delete from love_notes_channel_outcomes o
    where not exists (select 1 from love_notes_notes n where n.couple_id = o.couple_id and n.id = o.note_id)`.execute(
    db,
  );

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table love_notes_channel_outcomes drop constraint if exists love_notes_channel_outcomes_note`.execute(
    db,
  );
  await deleteOrphans(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The key cannot be added back over orphans (a note deleted by hand while it was off).
  await deleteOrphans(db);
  await sql`alter table love_notes_channel_outcomes add constraint love_notes_channel_outcomes_note
    foreign key (couple_id, note_id) references love_notes_notes (couple_id, id) on delete cascade`.execute(
    db,
  );
}
