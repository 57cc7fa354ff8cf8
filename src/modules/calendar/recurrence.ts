import { DateTime } from 'luxon';
import rrule from 'rrule';

const { RRule } = rrule;

import { validationError } from '../../platform/http/errors.ts';
import { firstOccurrence } from './probe.ts';

/**
 * Recurring events, expanded in the event's own time zone. rrule works on
 * "floating" wall times: the first start's wall time (19:00 in
 * Europe/Berlin) becomes a UTC date with the same digits, rrule steps
 * through those, and each result is read back as a wall time in the zone.
 * So a weekly 19:00 event stays 19:00 local on both sides of a DST change,
 * and its UTC instant moves by the hour instead.
 */

/** The parts of an RFC 5545 RRULE we accept, and the shape of their values. */
const DAY = '(?:[+-]?(?:[1-9]|[1-4][0-9]|5[0-3]))?(?:MO|TU|WE|TH|FR|SA|SU)';
const NUMBERS = (n: string) => `${n}(?:,${n})*`;
const PARTS: Record<string, RegExp> = {
  FREQ: /^(?:DAILY|WEEKLY|MONTHLY|YEARLY)$/,
  INTERVAL: /^(?:[1-9][0-9]{0,2})$/,
  COUNT: /^(?:[1-9][0-9]{0,2}|1000)$/,
  UNTIL: /^\d{8}(?:T\d{6}Z?)?$/,
  BYDAY: new RegExp(`^${NUMBERS(DAY)}$`),
  BYMONTHDAY: new RegExp(`^${NUMBERS('[+-]?(?:[1-9]|[12][0-9]|3[01])')}$`),
  BYMONTH: new RegExp(`^${NUMBERS('(?:[1-9]|1[0-2])')}$`),
  BYSETPOS: new RegExp(`^${NUMBERS('[+-]?(?:[1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-6])')}$`),
  WKST: /^(?:MO|TU|WE|TH|FR|SA|SU)$/,
};

/** The canonical text of a rule the API accepts, or a 400 naming `field`. */
export function checkRule(text: string, field = 'recurrence'): string {
  const rule = text
    .trim()
    .replace(/^RRULE:/i, '')
    .toUpperCase();
  const seen = new Set<string>();
  for (const part of rule.split(';')) {
    const [key = '', value = '', ...rest] = part.split('=');
    const shape = PARTS[key];
    if (!shape || rest.length > 0 || !shape.test(value) || seen.has(key)) {
      throw validationError(
        `${field} must be an RRULE with FREQ=DAILY|WEEKLY|MONTHLY|YEARLY and INTERVAL, COUNT (≤ 1000), UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS or WKST (got "${part}")`,
        field,
      );
    }
    seen.add(key);
  }
  if (!seen.has('FREQ')) throw validationError(`${field} needs FREQ`, field);
  if (seen.has('COUNT') && seen.has('UNTIL'))
    throw validationError(`${field} has both COUNT and UNTIL`, field);
  if (seen.has('BYSETPOS') && !seen.has('BYDAY') && !seen.has('BYMONTHDAY'))
    throw validationError(`${field}: BYSETPOS needs BYDAY or BYMONTHDAY`, field);
  return rule;
}

/**
 * UNTIL in the form RFC 5545 asks for beside our DTSTART: a UTC time for a
 * timed event (a date or a floating time is read as a wall time in `zone`,
 * a date meaning the end of that day), a date for an all-day event.
 */
export function normalizeUntil(rule: string, zone: string, allDay: boolean): string {
  return rule.replace(/UNTIL=(\d{8})(?:T(\d{6})(Z?))?/, (_whole, day: string, time?: string, z?: string) => {
    const wall = DateTime.fromFormat(`${day}${time ?? '235959'}`, 'yyyyLLddHHmmss', {
      zone: z ? 'UTC' : zone,
    });
    if (!wall.isValid) throw validationError('recurrence has an invalid UNTIL', 'recurrence');
    if (allDay) return `UNTIL=${wall.setZone(zone).toFormat('yyyyLLdd')}`;
    return `UNTIL=${wall.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'")}`;
  });
}

/** What expanding needs of an event. */
export interface Recurring {
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  allDay: boolean;
  recurrence: string | null;
}

export interface Occurrence {
  start: Date;
  end: Date;
}

/** A zoned time's wall-clock digits as a UTC date (rrule's floating frame). */
function floating(at: DateTime): Date {
  return new Date(Date.UTC(at.year, at.month - 1, at.day, at.hour, at.minute, at.second));
}

/** A floating date read back as a wall time in `zone` (a time skipped by DST moves forward). */
function zoned(wall: Date, zone: string): DateTime {
  return DateTime.fromObject(
    {
      year: wall.getUTCFullYear(),
      month: wall.getUTCMonth() + 1,
      day: wall.getUTCDate(),
      hour: wall.getUTCHours(),
      minute: wall.getUTCMinutes(),
      second: wall.getUTCSeconds(),
    },
    { zone },
  );
}

function ruleOf(event: Recurring): InstanceType<typeof RRule> {
  const text = event.recurrence as string;
  const options = RRule.parseString(text);
  const first = DateTime.fromJSDate(event.startsAt, { zone: event.timeZone });
  // UNTIL with Z is an instant: compare it in the same wall-time frame; without Z it is a wall time already.
  const until =
    options.until && /UNTIL=\d{8}T\d{6}Z/.test(text)
      ? floating(DateTime.fromJSDate(options.until, { zone: event.timeZone }))
      : options.until;
  return new RRule({ ...options, until: until ?? null, dtstart: floating(first), tzid: null });
}

/**
 * A new rule must yield the event's start as its first occurrence (as
 * RFC 5545 asks, so calendar apps and this API agree) within the probe's
 * deadline; otherwise a 400.
 */
export async function assertRuleFits(event: Recurring): Promise<void> {
  if (!event.recurrence) return;
  const start = floating(DateTime.fromJSDate(event.startsAt, { zone: event.timeZone }));
  const probe = await firstOccurrence(event.recurrence, start);
  if (probe === 'too-slow' || probe.first === null) {
    throw validationError('recurrence never yields an occurrence (or too rarely)', 'recurrence');
  }
  if (probe.first.getTime() !== start.getTime()) {
    throw validationError(
      `start must be an occurrence of recurrence (its first one would be ${probe.first.toISOString().slice(0, 16)} local time)`,
      'start',
    );
  }
}

/** One occurrence's end: all-day events last whole local days, timed ones the same span of time. */
function endOf(event: Recurring, start: DateTime): DateTime {
  if (!event.allDay) return start.plus({ milliseconds: event.endsAt.getTime() - event.startsAt.getTime() });
  const days = Math.round(
    DateTime.fromJSDate(event.endsAt, { zone: event.timeZone })
      .diff(DateTime.fromJSDate(event.startsAt, { zone: event.timeZone }), 'days')
      .as('days'),
  );
  return start.plus({ days });
}

const MAX_PER_WINDOW = 1000;

/**
 * The event's occurrences that overlap [from, to), in order (the first
 * start itself for a one-off event), at most 1000.
 */
export function occurrencesBetween(
  event: Recurring,
  from: Date,
  to: Date,
  options: { fastForward?: boolean } = {},
): Occurrence[] {
  if (!event.recurrence) {
    return event.startsAt < to &&
      (event.endsAt > from || (event.endsAt.getTime() === event.startsAt.getTime() && event.startsAt >= from))
      ? [{ start: event.startsAt, end: event.endsAt }]
      : [];
  }
  const zone = event.timeZone;
  const span = event.endsAt.getTime() - event.startsAt.getTime();
  // A day of slack on both sides covers any zone offset between the floating frame and UTC.
  const day = 86_400_000;
  const lo = floating(DateTime.fromJSDate(new Date(from.getTime() - span - day), { zone }));
  const hi = floating(DateTime.fromJSDate(new Date(to.getTime() + day), { zone }));
  const result: Occurrence[] = [];
  ruleFrom(ruleOf(event), lo, options.fastForward ?? true).between(lo, hi, true, (wall: Date) => {
    const start = zoned(wall, zone);
    const end = endOf(event, start);
    const startDate = start.toJSDate();
    const endDate = end.toJSDate();
    if (startDate < to && (endDate > from || (span === 0 && startDate >= from)))
      result.push({ start: startDate, end: endDate });
    return result.length < MAX_PER_WINDOW;
  });
  return result;
}

/**
 * rrule walks from DTSTART to the window one period at a time (a daily
 * series from 1970 asked about 2200: ~84,000 steps, ~0.6 s). A DAILY or
 * WEEKLY rule without COUNT gives the same occurrences from a DTSTART moved
 * forward by whole multiples of its period (INTERVAL days or weeks: its BY
 * parts select within a day or a week, and a week keeps its weekday), so the
 * walk starts just before the window. COUNT needs the walk from the start.
 */
function ruleFrom(
  rule: InstanceType<typeof RRule>,
  lo: Date,
  fastForward: boolean,
): InstanceType<typeof RRule> {
  const { freq, count, interval, dtstart } = rule.options;
  if (!fastForward || count || (freq !== RRule.DAILY && freq !== RRule.WEEKLY)) return rule;
  const period = (interval || 1) * (freq === RRule.WEEKLY ? 7 : 1) * 86_400_000;
  const periods = Math.floor((lo.getTime() - dtstart.getTime()) / period) - 1;
  if (periods <= 0) return rule;
  return new RRule({ ...rule.origOptions, dtstart: new Date(dtstart.getTime() + periods * period) });
}

/** When the last occurrence ends (null for a series without COUNT or UNTIL). */
export function seriesEnd(event: Recurring): Date | null {
  if (!event.recurrence) return event.endsAt;
  const rule = ruleOf(event);
  if (!rule.options.count && !rule.options.until) return null;
  // COUNT is at most 1000; UNTIL may allow many more, so ask for the last one before it.
  const last = rule.options.until
    ? rule.before(rule.options.until, true)
    : rule.all((_: Date, i: number) => i < 1000).at(-1);
  if (!last) return event.endsAt;
  return endOf(event, zoned(last, event.timeZone)).toJSDate();
}

/** A start or end as the API shows it: a local ISO time with offset, or the date of an all-day event. */
export function localText(at: Date, zone: string, allDay: boolean): string {
  const local = DateTime.fromJSDate(at, { zone });
  return allDay ? (local.toISODate() as string) : (local.toISO({ suppressMilliseconds: true }) as string);
}
