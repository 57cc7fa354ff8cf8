import { eventId, isAfter, type LiveEvent, type LivePosition } from '../../platform/realtime/live-events.ts';
import type { NotesContext } from './context.ts';
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
  const delivered = await ctx.db
    .selectFrom('love_notes_notes')
    .selectAll()
    .where('couple_id', '=', couple.coupleId)
    .where('recipient_id', '=', userId)
    .where('kind', '=', 'note')
    .where('status', '!=', 'cancelled')
    .where('hidden_by_recipient', '=', false)
    .where('delivered_at', '>=', since.at)
    .orderBy('delivered_at')
    .limit(MAX_REPLAY)
    .execute();
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
