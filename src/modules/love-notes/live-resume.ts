import { sql } from 'kysely';
import { eventId, isAfter, type LiveEvent, type LivePosition } from '../../platform/realtime/live-events.ts';
import type { NotesContext } from './context.ts';
import type { NotesDb } from './tables.ts';
import { toView } from './view.ts';

const MAX_REPLAY = 200;

/**
 * What a reconnecting client missed since `since`: notes delivered to them,
 * and read receipts of notes they sent, rebuilt from the notes table, which
 * is the record of truth (no separate event log to keep in step). The
 * platform's realtime endpoint merges it with other modules' replays.
 */
export async function missedSince(
  ctx: NotesContext,
  userId: string,
  since: LivePosition,
): Promise<LiveEvent[]> {
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  if (!couple) return [];
  const delivered = await deliveredSince(ctx.db, couple.coupleId, userId, since.at).execute();
  const read = await ctx.db
    .selectFrom('love_notes_notes')
    .select(['id', 'read_at'])
    .where('couple_id', '=', couple.coupleId)
    .where('sender_id', '=', userId)
    .where('read_receipt', '=', true)
    .where('read_at', '>=', since.at)
    .orderBy('read_at')
    .limit(MAX_REPLAY)
    .execute();
  const events: LiveEvent[] = [
    ...delivered.map(
      (row): LiveEvent<'love-note.created'> => ({
        type: 'love-note.created',
        id: eventId(row.delivered_at as Date, row.id),
        data: toView(row, userId, ctx.platform.encryption),
      }),
    ),
    ...read.map(
      (row): LiveEvent<'love-note.read'> => ({
        type: 'love-note.read',
        id: eventId(row.read_at as Date, row.id),
        data: { id: row.id, readAt: new Date(row.read_at as Date).toISOString() },
      }),
    ),
  ];
  return events.filter((e) => isAfter(e.id, since));
}

/**
 * Notes delivered to the user since a time, oldest first.
 * (Exported for test/modules/generic-plans.test.ts, which checks its generic plan.)
 * The fixed conditions are literals, not parameters: the inbox index is partial
 * (`kind = 'note'`), and only a literal lets the generic plan of this prepared
 * statement (database.ts `preparingPool`) use it instead of reading all the
 * recipient's notes.
 */
export function deliveredSince(db: NotesDb, coupleId: string, userId: string, since: Date) {
  return db
    .selectFrom('love_notes_notes')
    .selectAll()
    .where('couple_id', '=', coupleId)
    .where('recipient_id', '=', userId)
    .where('kind', '=', sql.lit('note'))
    .where('status', '!=', sql.lit('cancelled'))
    .where('hidden_by_recipient', '=', sql.lit(false))
    .where('delivered_at', '>=', since)
    .orderBy('delivered_at')
    .limit(MAX_REPLAY);
}
