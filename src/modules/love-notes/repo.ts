import { type ExpressionBuilder, sql } from 'kysely';
import type { LoveNotesSchema, NoteRow, NotesExecutor } from './tables.ts';
import type { ReactionView } from './view.ts';

/** Every note query is scoped by couple: the distribution key leads every lookup. */
export interface CoupleScope {
  coupleId: string;
}

export async function findNote(
  db: NotesExecutor,
  scope: CoupleScope,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<NoteRow | undefined> {
  let query = db
    .selectFrom('love_notes_notes')
    .selectAll()
    .where('couple_id', '=', scope.coupleId)
    .where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** A note the user may see: the sender always, the recipient once delivered and unless hidden or unsent. */
export function visibleTo(userId: string) {
  return (eb: ExpressionBuilder<LoveNotesSchema, 'love_notes_notes'>) =>
    eb.or([
      eb('sender_id', '=', userId),
      eb.and([
        eb('recipient_id', '=', userId),
        eb('kind', '=', 'note'),
        eb('delivered_at', 'is not', null),
        eb('hidden_by_recipient', '=', false),
        eb('status', '!=', 'cancelled'),
      ]),
    ]);
}

export async function reactionsOf(
  db: NotesExecutor,
  scope: CoupleScope,
  noteIds: string[],
): Promise<Map<string, ReactionView[]>> {
  const byNote = new Map<string, ReactionView[]>();
  if (noteIds.length === 0) return byNote;
  const rows = await db
    .selectFrom('love_notes_reactions')
    .select(['note_id', 'user_id', 'emoji', 'created_at'])
    .where('couple_id', '=', scope.coupleId)
    .where('note_id', 'in', noteIds)
    .orderBy('created_at')
    .execute();
  for (const row of rows) {
    const list = byNote.get(row.note_id) ?? [];
    list.push({ userId: row.user_id, emoji: row.emoji, createdAt: new Date(row.created_at).toISOString() });
    byNote.set(row.note_id, list);
  }
  return byNote;
}

/** Scheduled notes and series a sender has waiting; serialised per sender so the limit holds under races. */
export async function lockAndCountPending(db: NotesExecutor, senderId: string): Promise<number> {
  await sql`select pg_advisory_xact_lock(hashtext(${`love-notes:pending:${senderId}`}))`.execute(db);
  const row = await pendingCount(db, senderId).executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * (Exported for test/modules/generic-plans.test.ts, which checks its generic plan.)
 * The status is a literal, not a parameter: the index of pending notes is partial
 * (`status = 'scheduled'`), and only a literal lets the generic plan of this
 * prepared statement (database.ts `preparingPool`) use it instead of reading
 * every note.
 */
export function pendingCount(db: NotesExecutor, senderId: string) {
  return db
    .selectFrom('love_notes_notes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('sender_id', '=', senderId)
    .where('status', '=', sql.lit('scheduled'));
}
