import { DateTime } from 'luxon';
import { validationError } from '../../platform/http/errors.ts';
import { canonicalZone } from '../../platform/time-zones.ts';

/** A valid IANA zone name in its canonical spelling, or a 400 naming `field`. */
export function checkZone(zone: string, field = 'timeZone'): string {
  const name = canonicalZone(zone);
  if (name === undefined)
    throw validationError(`${field} must be an IANA time zone (e.g. Europe/Berlin)`, field);
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
