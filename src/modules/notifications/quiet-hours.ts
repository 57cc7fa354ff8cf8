import { LRUCache } from 'lru-cache';
import { canonicalZone } from '../../platform/time-zones.ts';

/**
 * Quiet hours are a local-time window (e.g. 22:00–07:00) in the person's IANA
 * time zone. `quietUntil` answers: if `now` falls inside the window, when
 * does it end (as an instant)? Computed with Intl so daylight-saving shifts
 * are the time zone database's problem, not ours.
 */
export interface QuietHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
  timeZone: string;
}

// Building an Intl.DateTimeFormat costs a good part of a millisecond; intake plans every
// notification of a person with quiet hours through one, so each zone's is made once. Keyed by
// the canonical name: there are a few hundred, and a name that is no zone never gets here.
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: 500 });

/** The zone's formatter, or undefined for a name that is not an IANA zone (platform/time-zones.ts). */
function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  const zone = canonicalZone(timeZone);
  if (zone === undefined) return undefined;
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

function localParts(at: Date, formatter: Intl.DateTimeFormat) {
  const parts = formatter.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { minutes: get('hour') * 60 + get('minute'), seconds: get('second') };
}

/** The instant quiet hours end, or undefined when `now` is outside them. */
export function quietUntil(quiet: QuietHours, now: Date = new Date()): Date | undefined {
  if (quiet.start === quiet.end) return undefined;
  const formatter = formatterFor(quiet.timeZone) ?? (formatterFor('UTC') as Intl.DateTimeFormat);
  const { minutes, seconds } = localParts(now, formatter);
  const inside =
    quiet.start < quiet.end
      ? minutes >= quiet.start && minutes < quiet.end
      : minutes >= quiet.start || minutes < quiet.end; // the window crosses midnight
  if (!inside) return undefined;
  const minutesLeft = (quiet.end - minutes + 24 * 60) % (24 * 60);
  let candidate = new Date(now.getTime() + minutesLeft * 60_000 - seconds * 1000 - now.getMilliseconds());
  // A daylight-saving change inside the window shifts local time by the offset change: correct for it.
  const drift = localParts(candidate, formatter).minutes - quiet.end;
  if (drift !== 0 && Math.abs(drift) <= 120) candidate = new Date(candidate.getTime() - drift * 60_000);
  return candidate;
}

/** `"22:30"` → 1350; undefined for anything else. */
export function parseClock(value: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}
