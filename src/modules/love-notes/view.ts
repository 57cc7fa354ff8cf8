import type { Static } from 'typebox';
import type { FieldEncryption } from '../../platform/security/field-encryption.ts';
import { noteBody } from './bodies.ts';
import type { DeliveryStep, Note } from './schemas.ts';
import type { NoteRow, NoteStatus } from './tables.ts';

export type NoteView = Static<typeof Note>;
export type ReactionView = NoteView['reactions'][number];

/** The columns a note's view is made of: what the list reads and the send returns, not all 25. */
export const VIEW_COLUMNS = [
  'id',
  'sender_id',
  'recipient_id',
  'body',
  'mood',
  'template_id',
  'status',
  'scheduled_at',
  'time_zone',
  'recurrence',
  'paused',
  'series_id',
  'delivered_at',
  'read_at',
  'read_receipt',
  'created_at',
  'favorite_by_sender',
  'favorite_by_recipient',
] as const;
export type ViewRow = Pick<NoteRow, (typeof VIEW_COLUMNS)[number]>;

/** What a send returns: the view's columns but the body (the sender has it in hand), and the couple. */
export type WrittenRow = Omit<ViewRow, 'body'> & Pick<NoteRow, 'couple_id'>;
export const WRITTEN_COLUMNS: ReadonlyArray<keyof WrittenRow> = [
  ...VIEW_COLUMNS.filter((column) => column !== 'body'),
  'couple_id',
];

// Rows from pg carry Dates already: no copy of each (a list page formats about 60).
const iso = (value: Date | string | null) =>
  value === null ? null : value instanceof Date ? value.toISOString() : new Date(value).toISOString();

/**
 * What a status means to the viewer: a sender whose partner keeps read
 * receipts off sees `delivered`, never `read`.
 */
export function statusFor(
  row: Pick<ViewRow, 'status' | 'sender_id' | 'read_receipt'>,
  viewerId: string,
): NoteStatus {
  if (row.status === 'read' && row.sender_id === viewerId && !row.read_receipt) return 'delivered';
  return row.status;
}

export function toView(
  row: ViewRow,
  viewerId: string,
  encryption: FieldEncryption,
  reactions: ReactionView[] = [],
): NoteView {
  return viewOf(row, viewerId, noteBody(encryption, row.id, row.body), reactions);
}

/** The view of a note whose body is already in hand (a note just written), so it is not decrypted again. */
export function viewOf(
  row: Omit<ViewRow, 'body'>,
  viewerId: string,
  body: string,
  reactions: ReactionView[] = [],
): NoteView {
  const status = statusFor(row, viewerId);
  const isSender = row.sender_id === viewerId;
  return {
    id: row.id,
    senderId: row.sender_id,
    recipientId: row.recipient_id,
    body,
    mood: row.mood,
    templateId: row.template_id,
    status,
    scheduledAt: iso(row.scheduled_at),
    timeZone: row.time_zone,
    recurrence: row.recurrence,
    paused: row.paused,
    seriesId: row.series_id,
    deliveredAt: iso(row.delivered_at),
    readAt: status === 'read' ? iso(row.read_at) : null,
    createdAt: iso(row.created_at) as string,
    reactions,
    favorite: isSender ? row.favorite_by_sender : row.favorite_by_recipient,
  };
}

/** The status timeline `queued → sent → delivered → read`, as far as the viewer may see it. */
export function timeline(row: NoteRow, viewerId: string): Static<typeof DeliveryStep>[] {
  const steps: Static<typeof DeliveryStep>[] = [];
  if (row.scheduled_at !== null) steps.push({ step: 'queued', at: iso(row.created_at) as string });
  if (row.sent_at !== null) steps.push({ step: 'sent', at: iso(row.sent_at) as string });
  if (row.delivered_at !== null)
    steps.push({ step: 'delivered', at: iso(row.delivered_at) as string, channel: 'in-app' });
  if (row.read_at !== null && statusFor(row, viewerId) === 'read')
    steps.push({ step: 'read', at: iso(row.read_at) as string });
  return steps;
}
