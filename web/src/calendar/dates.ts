/**
 * Calendar dates as `YYYY-MM-DD` keys. Day arithmetic runs on UTC dates so a
 * DST change in the browser's own zone never shifts a day; which day an
 * instant falls on is read in the person's profile zone with Intl.
 */

export interface YearMonth {
  year: number;
  month: number; // 1–12
}

const pad = (n: number) => String(n).padStart(2, '0');

export function dayKey(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`;
}

function utcOf(key: string): Date {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

function keyOfUtc(date: Date): string {
  return dayKey(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

export function addDays(key: string, days: number): string {
  const date = utcOf(key);
  date.setUTCDate(date.getUTCDate() + days);
  return keyOfUtc(date);
}

export function monthOf(key: string): YearMonth {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return { year: y, month: m };
}

export function addMonths({ year, month }: YearMonth, months: number): YearMonth {
  const index = year * 12 + (month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export function daysInMonth({ year, month }: YearMonth): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Monday = 0 … Sunday = 6 (weeks start on Monday, as ISO 8601 has them). */
export function weekdayOf(key: string): number {
  return (utcOf(key).getUTCDay() + 6) % 7;
}

/** The weeks of a month, Monday first; days outside the month are null. */
export function monthWeeks(view: YearMonth): Array<Array<string | null>> {
  const first = dayKey(view.year, view.month, 1);
  const cells: Array<string | null> = Array.from({ length: weekdayOf(first) }, () => null);
  for (let day = 1; day <= daysInMonth(view); day++) cells.push(dayKey(view.year, view.month, day));
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: Array<Array<string | null>> = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

const keyFormatters = new Map<string, Intl.DateTimeFormat>();
/** The day (in `zone`) an instant falls on. */
export function dayKeyIn(instant: string | Date, zone: string): string {
  let format = keyFormatters.get(zone);
  if (!format) {
    // en-CA writes dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    keyFormatters.set(zone, format);
  }
  return format.format(typeof instant === 'string' ? new Date(instant) : instant);
}

export function todayIn(zone: string): string {
  return dayKeyIn(new Date(), zone);
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function monthLabel({ year, month }: YearMonth): string {
  return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, 1)),
  );
}

/** "Thursday 3 December 2026" for a day key. */
export function longDay(key: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(utcOf(key));
}

export function shortDay(key: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(utcOf(key));
}

/** A time of day in the person's zone ("19:00"). */
export function timeIn(instant: string, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(
    new Date(instant),
  );
}

/** Every IANA zone the browser knows, with `extra` (the profile's, or UTC) kept in. */
export function timeZones(...extra: string[]): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...extra, 'UTC', ...known])].sort();
}

/** Whole days from one day key to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcOf(to).getTime() - utcOf(from).getTime()) / 86_400_000);
}

/** "today", "tomorrow", "in 12 days". */
export function daysLeftText(daysLeft: number): string {
  return daysLeft === 0 ? 'today' : daysLeft === 1 ? 'tomorrow' : `in ${daysLeft} days`;
}
