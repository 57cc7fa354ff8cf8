import type { LoveNoteRef } from '../../platform/bus/events.ts';
import type { NotesContext } from './context.ts';
import type { NoteRow } from './tables.ts';
import { toView } from './view.ts';

export const noteRef = (row: NoteRow): LoveNoteRef => ({
  noteId: row.id,
  coupleId: row.couple_id,
  senderId: row.sender_id,
  recipientId: row.recipient_id,
});

/** After the commit: the recipient's open connections get the note at once. */
export function liveCreated(ctx: NotesContext, row: NoteRow): void {
  ctx.live.push(row.recipient_id, {
    type: 'love-note.created',
    data: toView(row, row.recipient_id, ctx.platform.encryption),
  });
}
