/** Dates as people read them, in their own locale (and a note's own zone where it has one). */
export function formatWhen(iso: string, timeZone?: string | null): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName, hence the separate fields.
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    ...(timeZone ? { timeZone, timeZoneName: 'short' } : {}),
  }).format(new Date(iso));
}

/**
 * An instant as the wall-clock `YYYY-MM-DDTHH:mm:ss` of a zone: the value of a
 * datetime-local input, and the form the API reads "in `timeZone`".
 */
export function wallClockIn(iso: string | Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Every IANA zone the browser knows, with the person's own first in the list if it is missing. */
export function timeZones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = all.includes('UTC') ? all : ['UTC', ...all];
  return zones.includes(current) ? zones : [current, ...zones];
}

export type Repeat = 'none' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
export const REPEATS: Array<{ value: Repeat; label: string }> = [
  { value: 'none', label: 'Does not repeat' },
  { value: 'DAILY', label: 'Every day' },
  { value: 'WEEKLY', label: 'Every week' },
  { value: 'MONTHLY', label: 'Every month' },
  { value: 'YEARLY', label: 'Every year' },
];

/** The RRULE the API takes (it repeats at the start's time; COUNT bounds the series). */
export function ruleOf(repeat: Repeat, count: number | null): string | undefined {
  if (repeat === 'none') return undefined;
  return count ? `FREQ=${repeat};COUNT=${count}` : `FREQ=${repeat}`;
}

/** "Every week, 4 times" for the rules this app writes; others are shown as written. */
export function describeRule(rule: string): string {
  const parts = Object.fromEntries(rule.split(';').map((part) => part.split('=') as [string, string]));
  const every = REPEATS.find((repeat) => repeat.value === parts.FREQ)?.label;
  if (!every || Object.keys(parts).some((key) => key !== 'FREQ' && key !== 'COUNT'))
    return `Repeats: ${rule}`;
  return parts.COUNT ? `${every}, ${parts.COUNT} times` : every;
}

/** The repeat and count of a rule this app wrote (a draft coming back after a refusal). */
export function parseRule(rule: string | undefined): { repeat: Repeat; count: number | null } {
  if (!rule) return { repeat: 'none', count: null };
  const parts = Object.fromEntries(rule.split(';').map((part) => part.split('=') as [string, string]));
  const repeat = REPEATS.find((r) => r.value === parts.FREQ)?.value ?? 'none';
  return { repeat, count: parts.COUNT ? Number(parts.COUNT) : null };
}
