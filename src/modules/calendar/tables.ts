import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';

/** Kysely types of the calendar module's tables (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface CalendarTables {
  calendar_events: {
    couple_id: string;
    id: string;
    /** Null once the author's account is erased. */
    author_id: string | null;
    title: string;
    notes: string | null;
    location: string | null;
    all_day: boolean;
    /** The first occurrence's start and end (all-day: local midnights in time_zone, end exclusive). */
    starts_at: Timestamp;
    ends_at: Timestamp;
    /** IANA zone the event's wall times (and its recurrence) are read in. */
    time_zone: string;
    /** RFC 5545 RRULE without DTSTART (e.g. `FREQ=WEEKLY;BYDAY=TH`), or null. */
    recurrence: string | null;
    /** When the last occurrence ends; null for a series without end. */
    recurrence_ends_at: NullableTimestamp;
    /** Minutes before each occurrence when both partners are reminded. */
    reminders: number[];
    /** Visible only to the author until reveal_at. */
    surprise: boolean;
    reveal_at: NullableTimestamp;
    /** Reminders due at or before this moment were sent (or skipped as past when the event changed). */
    reminded_through: Timestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  calendar_feeds: {
    user_id: string;
    /** SHA-256 of the secret feed token (hex); the token itself is never stored. */
    token_hash: string;
    created_at: Timestamp;
  };
  outbox_events: Record<string, unknown>;
}

export type CalendarDb = Kysely<CalendarTables>;
export type CalendarTrx = Transaction<CalendarTables>;
export type EventRow = Selectable<CalendarTables['calendar_events']>;
