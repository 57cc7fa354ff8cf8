import { validationError } from '../../platform/http/errors.ts';
import { canonicalZone } from '../../platform/time-zones.ts';

/**
 * Checks JSON Schema cannot express. Each returns the canonical form to
 * store, or throws a 400 naming the field.
 */

/** An IANA zone name (never an offset such as "+01:00"), in its canonical spelling. */
export function canonicalTimeZone(value: string): string {
  const zone = canonicalZone(value);
  if (zone !== undefined) return zone;
  throw validationError(`timeZone "${value}" is not an IANA time zone (e.g. Europe/Paris)`, 'timeZone');
}

export function canonicalLocale(value: string): string {
  try {
    const [locale] = Intl.getCanonicalLocales(value);
    if (locale) return locale;
  } catch {
    // fall through
  }
  throw validationError(`locale "${value}" is not a BCP 47 language tag (e.g. en-GB)`, 'locale');
}

/** A real calendar day, in the past, and not before 1900. */
export function checkBirthday(value: string): string {
  const day = new Date(`${value}T00:00:00Z`);
  const valid = !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
  if (!valid || day.getTime() > Date.now() || day.getUTCFullYear() < 1900) {
    throw validationError('birthday must be a past date after 1900 (YYYY-MM-DD)', 'birthday');
  }
  return value;
}
