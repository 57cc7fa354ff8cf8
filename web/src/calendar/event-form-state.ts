import type { CalendarEvent, NewEvent } from './hooks.ts';

/** What the event form holds: the inputs' own strings, turned into the API's body on submit. */
export interface EventDraft {
  title: string;
  allDay: boolean;
  /** `YYYY-MM-DDTHH:mm` (timed) or `YYYY-MM-DD` (all day), wall time in timeZone. */
  start: string;
  end: string;
  timeZone: string;
  repeat: Repeat;
  /** How many times a preset rule runs; empty = forever. */
  count: string;
  /** The RRULE text when repeat is 'custom'. */
  rule: string;
  location: string;
  notes: string;
  reminders: number[];
  surprise: boolean;
}

export const REPEATS = ['none', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'custom'] as const;
export type Repeat = (typeof REPEATS)[number];
export const REPEAT_LABELS: Record<Repeat, string> = {
  none: 'Does not repeat',
  DAILY: 'Every day',
  WEEKLY: 'Every week',
  MONTHLY: 'Every month',
  YEARLY: 'Every year',
  custom: 'Custom rule (RRULE)',
};

export const REMINDER_CHOICES: Array<{ minutes: number; label: string }> = [
  { minutes: 0, label: 'When it starts' },
  { minutes: 15, label: '15 minutes before' },
  { minutes: 60, label: '1 hour before' },
  { minutes: 1440, label: '1 day before' },
  { minutes: 10080, label: '1 week before' },
];

export function newDraft(day: string, timeZone: string): EventDraft {
  return {
    title: '',
    allDay: false,
    start: `${day}T19:00`,
    end: `${day}T20:00`,
    timeZone,
    repeat: 'none',
    count: '',
    rule: '',
    location: '',
    notes: '',
    reminders: [],
    surprise: false,
  };
}

const PRESET = /^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(?:;COUNT=(\d+))?$/;

/** The form for an existing event, in the event's own zone (its wall times are kept as written). */
export function draftOf(event: CalendarEvent): EventDraft {
  const preset = event.recurrence ? PRESET.exec(event.recurrence) : null;
  return {
    title: event.title,
    allDay: event.allDay,
    start: event.allDay ? event.start.slice(0, 10) : event.start.slice(0, 16),
    end: event.allDay ? event.end.slice(0, 10) : event.end.slice(0, 16),
    timeZone: event.timeZone,
    repeat: !event.recurrence ? 'none' : preset ? (preset[1] as Repeat) : 'custom',
    count: preset?.[2] ?? '',
    rule: event.recurrence && !preset ? event.recurrence : '',
    location: event.location ?? '',
    notes: event.notes ?? '',
    reminders: event.reminders,
    surprise: event.surprise,
  };
}

/** Switching all-day on or off keeps the chosen day(s). */
export function withAllDay(draft: EventDraft, allDay: boolean): EventDraft {
  const startDay = draft.start.slice(0, 10);
  const endDay = draft.end.slice(0, 10) || startDay;
  return allDay
    ? { ...draft, allDay, start: startDay, end: endDay }
    : { ...draft, allDay, start: `${startDay}T19:00`, end: `${endDay}T20:00` };
}

function recurrenceOf(draft: EventDraft): string | null {
  if (draft.repeat === 'none') return null;
  if (draft.repeat === 'custom') return draft.rule.trim().replace(/^RRULE:/i, '');
  const count = draft.count.trim();
  return count ? `FREQ=${draft.repeat};COUNT=${count}` : `FREQ=${draft.repeat}`;
}

/**
 * The body the API takes. Nothing is checked here that the API checks
 * itself (an end before the start, a bad rule): its field messages are shown.
 */
export function bodyOf(draft: EventDraft): NewEvent & { recurrence: string | null } {
  return {
    title: draft.title,
    allDay: draft.allDay,
    start: draft.start,
    ...(draft.end ? { end: draft.end } : {}),
    timeZone: draft.timeZone,
    recurrence: recurrenceOf(draft),
    reminders: draft.reminders,
    surprise: draft.surprise,
    location: draft.location.trim() || null,
    notes: draft.notes.trim() || null,
  };
}
