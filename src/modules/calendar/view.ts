import { localText, type Occurrence } from './recurrence.ts';
import type { EventView, OccurrenceView } from './schemas.ts';
import type { EventRow } from './tables.ts';

/** Whether `userId` may see the event now: surprises stay with their author until revealed. */
export function visibleTo(row: EventRow, userId: string, now = new Date()): boolean {
  return !row.surprise || row.author_id === userId || (row.reveal_at !== null && row.reveal_at <= now);
}

/** All-day events end at the midnight after their last day; the API shows the last day. */
function shownEnd(end: Date, zone: string, allDay: boolean): string {
  return allDay ? localText(new Date(end.getTime() - 1), zone, true) : localText(end, zone, false);
}

export function toView(row: EventRow): EventView {
  return {
    id: row.id,
    coupleId: row.couple_id,
    authorId: row.author_id,
    title: row.title,
    notes: row.notes,
    location: row.location,
    allDay: row.all_day,
    start: localText(row.starts_at, row.time_zone, row.all_day),
    end: shownEnd(row.ends_at, row.time_zone, row.all_day),
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    timeZone: row.time_zone,
    recurrence: row.recurrence,
    reminders: row.reminders,
    surprise: row.surprise,
    revealAt: row.reveal_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function occurrenceView(row: EventRow, occurrence: Occurrence): OccurrenceView {
  return {
    eventId: row.id,
    title: row.title,
    location: row.location,
    allDay: row.all_day,
    start: localText(occurrence.start, row.time_zone, row.all_day),
    end: shownEnd(occurrence.end, row.time_zone, row.all_day),
    startsAt: occurrence.start.toISOString(),
    endsAt: occurrence.end.toISOString(),
    timeZone: row.time_zone,
    recurring: row.recurrence !== null,
    surprise: row.surprise,
  };
}

/** The row as the recurrence functions read it. */
export const recurringOf = (row: EventRow) => ({
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  timeZone: row.time_zone,
  allDay: row.all_day,
  recurrence: row.recurrence,
});
