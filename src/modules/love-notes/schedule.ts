import { DateTime } from 'luxon';
import rrule from 'rrule';
import { validationError } from '../../platform/http/errors.ts';
import { canonicalZone } from '../../platform/time-zones.ts';

const { RRule } = rrule;

export const MAX_AHEAD_MS = 366 * 24 * 3_600_000;
export const MAX_PENDING = 100;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/** The canonical IANA name of `zone` (the profile's own check, platform/time-zones.ts), or a 400. */
export function assertTimeZone(zone: string, field = 'timeZone'): string {
  const canonical = canonicalZone(zone);
  if (canonical === undefined)
    throw validationError(`timeZone "${zone}" is not an IANA time zone (e.g. Europe/Paris)`, field);
  return canonical;
}

/**
 * The wall-clock time a schedule starts at, in the note's zone. An ISO time
 * with an offset is an instant (converted to the zone's wall clock, so a
 * recurrence keeps that local time); one without is already local.
 */
export function localStart(scheduledAt: string, zone: string): DateTime {
  const local = HAS_OFFSET.test(scheduledAt)
    ? DateTime.fromISO(scheduledAt, { setZone: true }).setZone(zone)
    : DateTime.fromISO(scheduledAt, { zone });
  if (!local.isValid) {
    throw validationError('scheduledAt must be an ISO 8601 time, e.g. 2026-12-24T08:00:00Z', 'scheduledAt');
  }
  // wallClock() and RRULE need a four-digit year (9999-12-31T23:00Z is year 10000 in Paris);
  // such a time would be refused as too far off anyway, but must not reach rrule first.
  if (local.year < 1000 || local.year > 9999) {
    throw validationError('scheduledAt may be at most one year ahead', 'scheduledAt');
  }
  return local.set({ millisecond: 0 });
}

/** `2026-12-24T08:00:00` — the form kept in `local_start`. */
export const wallClock = (local: DateTime): string => local.toFormat("yyyy-MM-dd'T'HH:mm:ss");

// RRULE evaluates in "floating" time: wall-clock fields written as if UTC.
// Converting each floating result back through the zone is what keeps 08:00
// at 08:00 across a DST change (rrule's own tzid support gets this wrong).
const floating = (wall: string) => DateTime.fromISO(wall, { zone: 'utc' }).toJSDate();
const fromFloating = (date: Date, zone: string) =>
  DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    },
    { zone },
  ).toJSDate();

const ALLOWED_FREQ = new Set([RRule.DAILY, RRule.WEEKLY, RRule.MONTHLY, RRule.YEARLY]);

/** Parses an RRULE (with or without the `RRULE:` prefix); DTSTART comes from scheduledAt, not the rule. */
export function parseRecurrence(text: string): string {
  const rule = text.replace(/^RRULE:/i, '').trim();
  if (/DTSTART|TZID|\n/i.test(rule)) {
    throw validationError('recurrence is an RRULE without DTSTART; the start is scheduledAt', 'recurrence');
  }
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(rule);
  } catch {
    throw validationError(`recurrence "${rule}" is not a valid RRULE`, 'recurrence');
  }
  if (options.freq === undefined || !ALLOWED_FREQ.has(options.freq)) {
    throw validationError('recurrence FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY', 'recurrence');
  }
  if (options.byhour || options.byminute || options.bysecond) {
    throw validationError(
      'recurrence repeats at the time of scheduledAt; BYHOUR/BYMINUTE are not allowed',
      'recurrence',
    );
  }
  const outOfRange = outOfRangePart(options);
  if (outOfRange) throw validationError(`recurrence ${outOfRange} is out of range`, 'recurrence');
  let probe: Date | null;
  try {
    // rrule.js gives up on a rule that never matches (BYMONTH=2;BYMONTHDAY=30) only at
    // the year 9999, which takes it seconds to minutes: expanding from 9990 bounds that
    // walk to ten years, and a rule that matches nothing in ten years is refused.
    probe = new RRule({ ...options, count: null, until: null, dtstart: PROBE_START }).after(
      PROBE_START,
      true,
    );
  } catch {
    throw validationError(`recurrence "${rule}" is not a valid RRULE`, 'recurrence');
  }
  if (!probe)
    throw validationError('recurrence never repeats: no date matches all of its parts', 'recurrence');
  return rule;
}

const PROBE_START = new Date(Date.UTC(9990, 0, 1, 12));

type RuleOptions = ReturnType<typeof RRule.parseString>;

/** [min, max] of each numeric part; 0 is never a valid BY value. */
const RANGES: [keyof RuleOptions, number, number][] = [
  ['interval', 1, 1000],
  ['count', 1, 10_000],
  ['bymonth', 1, 12],
  ['bymonthday', -31, 31],
  ['byyearday', -366, 366],
  ['byweekno', -53, 53],
  ['bysetpos', -366, 366],
];

/**
 * rrule.js parses INTERVAL=-1, INTERVAL=abc, BYMONTH=13 or BYYEARDAY=400 and
 * then loops forever looking for an occurrence, blocking the event loop: every
 * numeric part is checked before the rule is ever expanded.
 */
function outOfRangePart(options: RuleOptions): string | undefined {
  for (const [key, min, max] of RANGES) {
    const value = options[key] as number | number[] | null | undefined;
    if (value === undefined || value === null) continue;
    for (const n of Array.isArray(value) ? value : [value]) {
      if (!Number.isInteger(n) || n < min || n > max || (min < 0 && n === 0)) return key.toUpperCase();
    }
  }
  const weekdays = options.byweekday;
  if (weekdays !== undefined && weekdays !== null) {
    for (const day of Array.isArray(weekdays) ? weekdays : [weekdays]) {
      if (day === null || day === undefined) return 'BYDAY';
      const n = typeof day === 'object' ? day.n : undefined;
      if (n !== undefined && n !== null && (!Number.isInteger(n) || n === 0 || Math.abs(n) > 53)) {
        return 'BYDAY';
      }
    }
  }
  return undefined;
}

/**
 * The first occurrence strictly after `after` (an instant) of the rule that
 * starts at `wall` in `zone`, or null when the series is over.
 */
export function nextOccurrence(rule: string, wall: string, zone: string, after: Date): Date | null {
  const options = RRule.parseString(rule);
  const start = floating(wall);
  const r = new RRule({ ...options, dtstart: start });
  // Step in floating time from a little before `after`'s wall clock, and keep
  // the first whose real instant is later (a DST shift can reorder by an hour).
  const afterWall = DateTime.fromJSDate(after).setZone(zone);
  let cursor = new Date(floating(wallClock(afterWall)).getTime() - 2 * 3_600_000);
  if (cursor < start) cursor = new Date(start.getTime() - 1000);
  for (let i = 0; i < 10; i += 1) {
    const next = r.after(cursor, false);
    if (!next) return null;
    const instant = fromFloating(next, zone);
    if (instant.getTime() > after.getTime()) return instant;
    cursor = next;
  }
  return null;
}

/** Refuses a time in the past or more than a year ahead. */
export function assertSchedulable(at: Date, now = new Date()): void {
  if (at.getTime() <= now.getTime()) throw validationError('scheduledAt is in the past', 'scheduledAt');
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS) {
    throw validationError('scheduledAt may be at most one year ahead', 'scheduledAt');
  }
}
