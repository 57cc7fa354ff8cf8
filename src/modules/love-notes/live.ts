import { eventId, type LiveHub } from '../../platform/realtime/live-hub.ts';
import type { LiveMessage, LiveSink, NotesContext } from './context.ts';
import type { NoteRow } from './tables.ts';
import { toView, viewOf } from './view.ts';

/** After the commit: the recipient's open connections get the note at once. */
export function liveCreated(ctx: NotesContext, row: NoteRow, body?: string): void {
  ctx.live.push(row.recipient_id, {
    type: 'love-note.created',
    data:
      body === undefined
        ? toView(row, row.recipient_id, ctx.platform.encryption)
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
      const data = message.data as { id?: string; deliveredAt?: string; readAt?: string };
      const at = message.type === 'love-note.created' ? data.deliveredAt : data.readAt;
      hub.push(userId, { ...message, id: eventId(at ?? new Date(), data.id ?? 'none') });
    },
  };
}
