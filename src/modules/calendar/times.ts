import { LRUCache } from 'lru-cache';
import { DateTime, IANAZone } from 'luxon';
import { validationError } from '../../platform/http/errors.ts';

// Luxon's isValidZone builds a new Intl.DateTimeFormat on every call (about 0.6 ms here, most of
// a calendar month's CPU in the mixed bench). The zones people use are few; names checked
// valid are remembered (bounded: a client could send endless spellings), invalid ones never.
const validZones = new LRUCache<string, string>({ max: 1000 });

/** A valid IANA zone name in its canonical spelling, or a 400 naming `field`. */
export function checkZone(zone: string, field = 'timeZone'): string {
  const known = validZones.get(zone);
  if (known !== undefined) return known;
  if (!IANAZone.isValidZone(zone))
    throw validationError(`${field} must be an IANA time zone (e.g. Europe/Berlin)`, field);
  const name = new IANAZone(zone).name;
  validZones.set(zone, name);
  return name;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The local midnight starting a date (YYYY-MM-DD) in `zone`, or a 400. */
export function parseDay(text: string, zone: string, field: string): DateTime {
  const day = DATE.test(text) ? DateTime.fromISO(text, { zone }) : undefined;
  if (!day?.isValid || day.year < 1970 || day.year > 2200)
    throw validationError(`${field} must be a date (YYYY-MM-DD, 1970–2200) for an all-day event`, field);
  return day.startOf('day');
}

/** A time with offset, or a local time read in `zone`, or a 400. */
export function parseTime(text: string, zone: string, field: string): DateTime {
  const withTime = /T\d{2}:\d{2}/.test(text);
  const at = withTime ? DateTime.fromISO(text, { zone, setZone: false }) : undefined;
  if (!at?.isValid)
    throw validationError(`${field} must be an ISO time (2026-12-24T19:00, with or without offset)`, field);
  const zoned = at.setZone(zone);
  if (zoned.year < 1970 || zoned.year > 2200)
    throw validationError(`${field} must be between 1970 and 2200`, field);
  return zoned;
}
