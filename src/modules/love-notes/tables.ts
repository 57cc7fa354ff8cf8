import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A timestamp the database fills when the insert leaves it out. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type NoteStatus = 'scheduled' | 'sent' | 'delivered' | 'read' | 'cancelled';

export interface LoveNotesTable {
  couple_id: string;
  id: string;
  sender_id: string;
  recipient_id: string;
  /** Ciphertext (platform field encryption, bound to `love_notes_notes.body:<id>`). */
  body: string;
  mood: string | null;
  template_id: string | null;
  status: NoteStatus;
  /** `series`: the definition of a recurring note; each occurrence is a `note`. */
  kind: Generated<'note' | 'series'>;
  series_id: string | null;
  scheduled_at: NullableTimestamp;
  time_zone: string | null;
  /** Wall-clock start of a series in its time zone (`2026-03-01T08:00`), the RRULE's DTSTART. */
  local_start: string | null;
  recurrence: string | null;
  paused: Generated<boolean>;
  sent_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
  read_at: NullableTimestamp;
  /** Whether the recipient allowed a read receipt when they read it. */
  read_receipt: Generated<boolean>;
  cancelled_at: NullableTimestamp;
  hidden_by_recipient: Generated<boolean>;
  favorite_by_sender: Generated<boolean>;
  favorite_by_recipient: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface LoveNoteReactionsTable {
  couple_id: string;
  note_id: string;
  user_id: string;
  emoji: string;
  created_at: DefaultTimestamp;
}

export interface LoveNoteTemplatesTable {
  user_id: string;
  id: string;
  category: string;
  title: string;
  body: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface LoveNoteSettingsTable {
  user_id: string;
  read_receipts: boolean;
  updated_at: DefaultTimestamp;
}

/** A channel's outcome for a delivered note, as the notifications module reported it. */
export interface LoveNoteChannelOutcomesTable {
  couple_id: string;
  note_id: string;
  channel: string;
  status: string;
  rank: number;
  reason: string | null;
  at: ColumnType<Date, Date | string, Date | string>;
  updated_at: DefaultTimestamp;
}

export interface LoveNotesSchema {
  love_notes_notes: LoveNotesTable;
  love_notes_reactions: LoveNoteReactionsTable;
  love_notes_templates: LoveNoteTemplatesTable;
  love_notes_settings: LoveNoteSettingsTable;
  love_notes_channel_outcomes: LoveNoteChannelOutcomesTable;
  // The platform's outbox, written through publish().
  // biome-ignore lint/suspicious/noExplicitAny: owned by the platform
  outbox_events: any;
}

export type NotesDb = Kysely<LoveNotesSchema>;
export type NotesTrx = Transaction<LoveNotesSchema>;
export type NotesExecutor = NotesDb | NotesTrx;
export type NoteRow = Selectable<LoveNotesTable>;
export type TemplateRow = Selectable<LoveNoteTemplatesTable>;
