import { eventId, type LiveEvent } from '../../platform/realtime/live-hub.ts';
import type { NotesContext } from './context.ts';
import { toView } from './view.ts';

const MAX_REPLAY = 200;

/** Parses `<epoch ms>_<note id>`; undefined for anything else (then nothing is replayed). */
export function parseEventId(value: string | undefined): { at: Date; noteId: string } | undefined {
  const match = value?.match(/^(\d{1,15})_([0-9a-f-]{36})$/i);
  if (!match) return undefined;
  return { at: new Date(Number(match[1])), noteId: (match[2] as string).toLowerCase() };
}

/**
 * What a reconnecting client missed since `lastEventId`: notes delivered to
 * them, and read receipts of notes they sent, rebuilt from the notes table,
 * which is the record of truth (no separate event log to keep in step).
 */
export async function missedSince(
  ctx: NotesContext,
  userId: string,
  lastEventId: string | undefined,
): Promise<LiveEvent[]> {
  const since = parseEventId(lastEventId);
  if (!since) return [];
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
    ...delivered.map((row) => ({
      type: 'love-note.created' as const,
      id: eventId(row.delivered_at as Date, row.id),
      data: toView(row, userId, ctx.platform.encryption),
    })),
    ...read.map((row) => ({
      type: 'love-note.read' as const,
      id: eventId(row.read_at as Date, row.id),
      data: { id: row.id, readAt: new Date(row.read_at as Date).toISOString() },
    })),
  ];
  const key = (id: string) => {
    const [ms = '0', note = ''] = id.split('_');
    return [Number(ms), note] as const;
  };
  const after = (id: string) => {
    const [ms, note] = key(id);
    const t = since.at.getTime();
    return ms > t || (ms === t && note > since.noteId);
  };
  return events
    .filter((e) => after(e.id))
    .sort((x, y) => {
      const [a, b] = [key(x.id), key(y.id)];
      return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    });
}
