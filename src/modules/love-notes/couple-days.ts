import { DateTime } from 'luxon';
import type { CoupleDates } from './dependencies.ts';

/** The calendar day an instant falls on in a zone, `YYYY-MM-DD`. */
const dayIn = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toISODate() as string;

const DAY_MS = 86_400_000;
const utcMidnight = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * Whole days from the relationship's start (or, unset, the day the couple
 * linked) to the day `at` falls on in the sender's zone: a note written at
 * 23:30 in Tokyo counts Tokyo's day, not UTC's.
 */
export function daysTogether(dates: CoupleDates, at: Date, zone: string): number {
  const start = dates.relationshipStart ?? dayIn(dates.linkedAt, zone);
  return Math.max(0, Math.round((utcMidnight(dayIn(at, zone)) - utcMidnight(start)) / DAY_MS));
}

/** The day the couple celebrates: their anniversary, else the relationship's start, else the day they linked. */
export function anniversaryDay(dates: CoupleDates, zone: string): string {
  return dates.anniversary ?? dates.relationshipStart ?? dayIn(dates.linkedAt, zone);
}

/** A calendar day written for people, in the sender's locale: `14 February 2021`, `February 14, 2021`. */
export function readableDay(day: string, locale: string): string {
  const date = new Date(utcMidnight(day));
  const options = { dateStyle: 'long', timeZone: 'UTC' } as const;
  try {
    return new Intl.DateTimeFormat(locale, options).format(date);
  } catch {
    return new Intl.DateTimeFormat('en', options).format(date);
  }
}
