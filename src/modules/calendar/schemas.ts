import { type Static, Type } from 'typebox';
import { Enveloped } from '../../platform/http/envelope.ts';
import { NonBlankText, Text } from '../../platform/http/text.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const when = (what: string) =>
  Text({
    maxLength: 40,
    description: `${what}: a date (YYYY-MM-DD) for an all-day event; otherwise an ISO time with offset (2026-12-24T19:00:00+01:00) or a local time without offset (2026-12-24T19:00) read in timeZone`,
  });

const TimeZone = Text({
  minLength: 1,
  maxLength: 64,
  description: "IANA time zone of the event's wall times and recurrence (default: the author's profile zone)",
});

const Recurrence = Text({
  minLength: 6,
  maxLength: 300,
  description:
    'RFC 5545 RRULE without DTSTART, expanded in timeZone from start (e.g. FREQ=WEEKLY;BYDAY=TH or FREQ=MONTHLY;BYDAY=-1FR;COUNT=12)',
});

const Reminders = Type.Array(
  Type.Integer({
    minimum: 0,
    maximum: 40_320,
    description: 'Minutes before each occurrence (at most 4 weeks)',
  }),
  { maxItems: 5, uniqueItems: true, description: 'When both partners are reminded; none by default' },
);

export const EventIdParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Calendar event id' }),
});

export const CreateEventBody = Type.Object(
  {
    title: NonBlankText({ maxLength: 200, description: 'What is happening' }),
    notes: Type.Optional(Nullable(Text({ maxLength: 5000, description: 'Free notes' }))),
    location: Type.Optional(Nullable(Text({ maxLength: 300, description: 'Where' }))),
    allDay: Type.Optional(
      Type.Boolean({ description: 'A whole-day event (start and end are dates); default false' }),
    ),
    start: when('Start'),
    end: Type.Optional(
      when(
        'End (all-day: the last day, inclusive; default the start day; timed: default one hour after start)',
      ),
    ),
    timeZone: Type.Optional(TimeZone),
    recurrence: Type.Optional(Nullable(Recurrence)),
    reminders: Type.Optional(Reminders),
    surprise: Type.Optional(
      Type.Boolean({ description: 'Visible only to you until revealAt (default false)' }),
    ),
    revealAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When a surprise becomes visible to your partner (default: its start)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateEventBody = Static<typeof CreateEventBody>;

export const PatchEventBody = Type.Object(
  {
    title: Type.Optional(NonBlankText({ maxLength: 200, description: 'What is happening' })),
    notes: Type.Optional(Nullable(Text({ maxLength: 5000, description: 'Free notes' }))),
    location: Type.Optional(Nullable(Text({ maxLength: 300, description: 'Where' }))),
    allDay: Type.Optional(
      Type.Boolean({ description: 'A whole-day event; give start (and end) again when it changes' }),
    ),
    start: Type.Optional(when('Start')),
    end: Type.Optional(when('End')),
    timeZone: Type.Optional(TimeZone),
    recurrence: Type.Optional(Nullable(Recurrence)),
    reminders: Type.Optional(Reminders),
    surprise: Type.Optional(Type.Boolean({ description: 'Visible only to the author until revealAt' })),
    revealAt: Type.Optional(
      Nullable(Type.String({ format: 'date-time', description: 'When a surprise becomes visible' })),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchEventBody = Static<typeof PatchEventBody>;

export const EventView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Event id' }),
  coupleId: Type.String({ format: 'uuid', description: 'The couple it belongs to' }),
  authorId: Nullable(Type.String({ format: 'uuid', description: 'Who created it (null once erased)' })),
  title: Type.String({ description: 'What is happening' }),
  notes: Nullable(Type.String({ description: 'Free notes' })),
  location: Nullable(Type.String({ description: 'Where' })),
  allDay: Type.Boolean({ description: 'A whole-day event' }),
  start: Type.String({
    description: 'First start: local ISO time with offset, or a date for all-day events',
  }),
  end: Type.String({
    description: 'First end: local ISO time with offset, or the last day (inclusive) for all-day events',
  }),
  startsAt: Type.String({ format: 'date-time', description: 'First start in UTC' }),
  endsAt: Type.String({
    format: 'date-time',
    description: 'First end in UTC (all-day: the midnight after the last day)',
  }),
  timeZone: Type.String({ description: 'IANA time zone of the wall times' }),
  recurrence: Nullable(Type.String({ description: 'RRULE, or null for a one-off event' })),
  reminders: Type.Array(Type.Integer(), { description: 'Minutes before each occurrence' }),
  surprise: Type.Boolean({ description: 'A surprise hidden from the partner until revealAt' }),
  revealAt: Nullable(Type.String({ format: 'date-time', description: 'When a surprise becomes visible' })),
  createdAt: Type.String({ format: 'date-time', description: 'Created' }),
  updatedAt: Type.String({ format: 'date-time', description: 'Last changed' }),
});
export type EventView = Static<typeof EventView>;

export const MonthQuery = Type.Object(
  {
    month: Type.Integer({ minimum: 1, maximum: 12, description: 'Month, 1–12' }),
    year: Type.Integer({ minimum: 1970, maximum: 2200, description: 'Year' }),
    timeZone: Type.Optional(TimeZone),
  },
  { additionalProperties: false },
);
export type MonthQuery = Static<typeof MonthQuery>;

export const OccurrenceView = Type.Object({
  eventId: Type.String({ format: 'uuid', description: 'The event this occurrence belongs to' }),
  title: Type.String({ description: 'What is happening' }),
  location: Nullable(Type.String({ description: 'Where' })),
  allDay: Type.Boolean({ description: 'A whole-day event' }),
  start: Type.String({ description: "Local ISO start in the event's zone (a date for all-day events)" }),
  end: Type.String({ description: "Local ISO end in the event's zone (all-day: the last day, inclusive)" }),
  startsAt: Type.String({ format: 'date-time', description: 'Start in UTC' }),
  endsAt: Type.String({ format: 'date-time', description: 'End in UTC' }),
  timeZone: Type.String({ description: "The event's IANA time zone" }),
  recurring: Type.Boolean({ description: 'Part of a recurring series' }),
  surprise: Type.Boolean({ description: 'A surprise (shown only to its author before its reveal)' }),
});
export type OccurrenceView = Static<typeof OccurrenceView>;

export const MonthView = Type.Object({
  year: Type.Integer({ description: 'Year' }),
  month: Type.Integer({ description: 'Month, 1–12' }),
  timeZone: Type.String({ description: 'The zone whose month boundaries were used' }),
  from: Type.String({ format: 'date-time', description: 'Start of the month (UTC)' }),
  to: Type.String({ format: 'date-time', description: 'Start of the next month (UTC)' }),
  occurrences: Type.Array(OccurrenceView, {
    description: 'Every occurrence overlapping the month, by start',
  }),
});
export type MonthView = Static<typeof MonthView>;

export const FeedView = Type.Object({
  url: Type.String({ description: 'Secret iCal address; creating a new one revokes the previous' }),
});

export const FeedParams = Type.Object({
  token: Type.String({
    pattern: '^[0-9a-f]{32}[A-Za-z0-9_-]{43}\\.ics$',
    description: 'Feed token followed by .ics',
  }),
});

export const CountdownView = Type.Object({
  kind: Type.Enum(['anniversary', 'relationship-start', 'linked', 'birthday', 'days-together'], {
    description:
      'What is celebrated: the anniversary, the relationship start or the day you linked (yearly), a birthday, or a round number of days together',
  }),
  title: Type.String({ description: 'Human label (English)' }),
  userId: Nullable(Type.String({ format: 'uuid', description: 'Whose birthday (birthdays only)' })),
  date: Type.String({ format: 'date', description: 'The original date' }),
  next: Type.String({ format: 'date', description: 'The next time it comes round (today counts)' }),
  daysLeft: Type.Integer({ description: 'Days until next (0 = today), in your time zone' }),
  years: Nullable(Type.Integer({ description: 'How many years it will be on that day (yearly kinds)' })),
  days: Nullable(Type.Integer({ description: 'The number of days together it marks (days-together)' })),
});

export const Responses = {
  event: Enveloped(EventView),
  events: Enveloped(Type.Array(EventView)),
  month: Enveloped(MonthView),
  feed: Enveloped(FeedView),
  countdowns: Enveloped(Type.Array(CountdownView)),
};
