import { eventId, type LiveEvent } from '../../platform/realtime/live-events.ts';
import type { LiveHub } from '../../platform/realtime/live-hub.ts';
import type { LiveMessage, LiveSink, NotesContext } from './context.ts';
import { type NoteView, toView, type ViewRow, viewOf } from './view.ts';

declare module '../../platform/realtime/live-events.ts' {
  interface LiveEventMap {
    /** A note reached the recipient (now, or when its scheduled time came): the note as they see it. */
    'love-note.created': NoteView;
    /** The recipient read a note the sender sent (only with the recipient's read receipt). */
    'love-note.read': { id: string; readAt: Date | string | null };
    /** The partner reacted to a note, or took a reaction back. */
    'love-note.reacted': { id: string; userId: string; emoji: string; removed: boolean };
  }
}

/** The live events love notes pushes (and replays after a reconnect: live-resume.ts). */
export const LOVE_NOTES_LIVE = ['love-note.created', 'love-note.read', 'love-note.reacted'] as const;
export type LoveNotesLiveType = (typeof LOVE_NOTES_LIVE)[number];

/** After the commit: the recipient's open connections get the note at once. */
export function liveCreated(ctx: NotesContext, row: ViewRow): void;
/** The same for a note just written, whose body is in hand (not decrypted again). */
export function liveCreated(ctx: NotesContext, row: Omit<ViewRow, 'body'>, body: string): void;
export function liveCreated(
  ctx: NotesContext,
  row: Omit<ViewRow, 'body'> & { body?: string },
  body?: string,
): void {
  ctx.live.push(row.recipient_id, {
    type: 'love-note.created',
    data:
      body === undefined
        ? toView(row as ViewRow, row.recipient_id, ctx.platform.encryption)
        : viewOf(row, row.recipient_id, body),
  });
}

/**
 * Love notes' side of the platform's live hub: each message gets an id from
 * the note and the moment it describes (`<ms>_<note id>`), the same id a
 * replay after a reconnect rebuilds from the notes table.
 */
export function liveSink(hub: LiveHub): LiveSink {
  return {
    push(userId, message: LiveMessage) {
      const data = message.data as {
        id?: string;
        deliveredAt?: string | null;
        readAt?: Date | string | null;
      };
      const at = message.type === 'love-note.created' ? data.deliveredAt : data.readAt;
      // Written out, not `{ ...message, id }` (bench/object-spread.ts): one per send.
      hub.push(userId, {
        type: message.type,
        data: message.data,
        id: eventId(at ?? new Date(), data.id ?? 'none'),
      } as LiveEvent);
    },
  };
}
