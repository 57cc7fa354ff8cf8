import type { EventMap } from '../../platform/bus/events.ts';
import type { NoteRow } from './tables.ts';

/** Which note between whom: the part every love-note event carries. */
export interface NoteParties {
  noteId: string;
  senderId: string;
  recipientId: string;
}

/** Who and which note: events never carry a note's body. */
export interface LoveNoteRef {
  noteId: string;
  coupleId: string;
  senderId: string;
  recipientId: string;
}

declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /**
     * The note reached its recipient, was read (only with the recipient's read
     * receipt), got a reaction (additions only). Never a body. Notifications
     * consumes them; analytics records `love-note.delivered` as its
     * `love-note.sent` (a note counts as sent when it reaches the inbox).
     * `seriesId` is set (null for a one-off note) on every delivery published
     * since 3 Dec 2026; the optional fields are optional for events of older
     * publishers still in flight.
     */
    'love-note.delivered': NoteParties & {
      coupleId?: string;
      deliveredAt?: string;
      senderName?: string;
      seriesId?: string | null;
    };
    'love-note.read': NoteParties & {
      coupleId?: string;
      readAt?: string;
      receipt?: true;
      readerName?: string;
    };
    'love-note.reacted': NoteParties & {
      coupleId?: string;
      userId?: string;
      reaction: string;
      reactorName?: string;
    };
    /**
     * Retired on 3 Dec 2026: it was published with every `love-note.delivered`, in the same
     * transaction, saying the same thing (a note reached its recipient's inbox), and cost every
     * note an outbox row and a bus delivery. No longer published; analytics still records
     * the ones written before the change.
     */
    'love-note.sent': LoveNoteRef & { seriesId: string | null };
    'love-note.scheduled': LoveNoteRef & { scheduledAt: string; recurring: boolean };
  }
}

/** What love notes publishes, in the transaction of the change. */
export const LOVE_NOTES_EVENTS = [
  'love-note.delivered',
  'love-note.read',
  'love-note.reacted',
  'love-note.sent',
  'love-note.scheduled',
] as const;

export const noteRef = (row: NoteRow): LoveNoteRef => ({
  noteId: row.id,
  coupleId: row.couple_id,
  senderId: row.sender_id,
  recipientId: row.recipient_id,
});

/**
 * `love-note.delivered`'s data, written out: `{ ...ref, more }` builds its hidden classes afresh on
 * every call in V8 (bench/object-spread.ts), and this runs on every send and every due delivery.
 */
export const deliveredData = (
  ref: LoveNoteRef,
  seriesId: string | null,
  deliveredAt: string,
): EventMap['love-note.delivered'] => ({
  noteId: ref.noteId,
  coupleId: ref.coupleId,
  senderId: ref.senderId,
  recipientId: ref.recipientId,
  seriesId,
  deliveredAt,
});
