import { zoneFormatter } from '../../platform/time-zones.ts';

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

function localParts(at: Date, formatter: Intl.DateTimeFormat) {
  const parts = formatter.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { minutes: get('hour') * 60 + get('minute'), seconds: get('second') };
}

/** The instant quiet hours end, or undefined when `now` is outside them. */
export function quietUntil(quiet: QuietHours, now: Date = new Date()): Date | undefined {
  if (quiet.start === quiet.end) return undefined;
  // Intake plans every notification of a person with quiet hours through the zone's formatter: one a
  // zone, built once by the zone check (platform/time-zones.ts). A name that is no zone reads as UTC.
  const formatter = zoneFormatter(quiet.timeZone) ?? (zoneFormatter('UTC') as Intl.DateTimeFormat);
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
