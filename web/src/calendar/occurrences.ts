import { addDays, dayKeyIn, timeIn } from './dates.ts';
import type { Occurrence } from './hooks.ts';

/**
 * The days of the month each occurrence covers, as the person sees them:
 * an all-day event spans its dates wherever they are; a timed one spans the
 * days of its start and end in the person's zone (a 23:00–01:00 dinner is on two).
 */
export function byDay(occurrences: Occurrence[], zone: string): Map<string, Occurrence[]> {
  const days = new Map<string, Occurrence[]>();
  for (const occurrence of occurrences) {
    const first = occurrence.allDay ? occurrence.start.slice(0, 10) : dayKeyIn(occurrence.startsAt, zone);
    const last = occurrence.allDay
      ? occurrence.end.slice(0, 10)
      : dayKeyIn(
          new Date(Math.max(Date.parse(occurrence.startsAt), Date.parse(occurrence.endsAt) - 1)),
          zone,
        );
    // An event lasts at most a year (the API's rule), so this walk is short.
    for (let day = first; day <= last; day = addDays(day, 1)) {
      const list = days.get(day) ?? [];
      list.push(occurrence);
      days.set(day, list);
    }
  }
  return days;
}

/** "All day" or "19:00–20:00" in the person's zone. */
export function whenText(occurrence: Occurrence, zone: string): string {
  if (occurrence.allDay) return 'All day';
  return `${timeIn(occurrence.startsAt, zone)}–${timeIn(occurrence.endsAt, zone)}`;
}
