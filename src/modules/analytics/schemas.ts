import { type Static, Type } from 'typebox';
import { Enveloped } from '../../platform/http/envelope.ts';
import { Text } from '../../platform/http/text.ts';

export const MAX_BATCH_EVENTS = 1000;
export const MAX_BATCH_BYTES = 1024 * 1024;
export const MAX_PROPERTIES_BYTES = 8192;

/** Printable text: no control characters (they would only hide what a name says). */
const EVENT_NAME = '^[^\\u0000-\\u001f\\u007f]+$';

const PropertyValue = Type.Union(
  [
    Text({ maxLength: 1000, description: 'Text, at most 1,000 characters' }),
    Type.Number({ description: 'A number' }),
    Type.Boolean({ description: 'A flag' }),
    Type.Null({ description: 'No value' }),
  ],
  { description: 'A scalar: nested objects and arrays are refused' },
);

export const EventInput = Type.Object(
  {
    id: Type.String({
      format: 'uuid',
      description: 'Made by the client once per event: a retry with the same id is stored once',
    }),
    event: Type.String({
      minLength: 1,
      maxLength: 120,
      pattern: EVENT_NAME,
      description:
        'Event name, e.g. `screen.viewed` (server event names such as `love-note.sent` are reserved)',
    }),
    timestamp: Type.Optional(
      Type.String({
        format: 'date-time',
        description: `When it happened (default: when received). Older than ANALYTICS_MAX_AGE_HOURS or over 5 minutes ahead: dropped`,
      }),
    ),
    properties: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_$][A-Za-z0-9_.$:-]{0,63}$' }), PropertyValue, {
        maxProperties: 30,
        additionalProperties: false,
        description: `At most 30 properties (names of up to 64 letters, digits, _ . $ : -; values scalars), ${MAX_PROPERTIES_BYTES} bytes of JSON in all. Never put message text here`,
      }),
    ),
  },
  { additionalProperties: false, description: 'One analytics event' },
);
export type EventInput = Static<typeof EventInput>;

export const BatchInput = Type.Object(
  {
    events: Type.Array(EventInput, {
      minItems: 1,
      maxItems: MAX_BATCH_EVENTS,
      description: `1 to ${MAX_BATCH_EVENTS} events (the body at most 1 MB)`,
    }),
  },
  { additionalProperties: false },
);
export type BatchInput = Static<typeof BatchInput>;

export const IngestResult = Type.Object({
  accepted: Type.Integer({ description: 'Events stored by this request (committed before this answer)' }),
  duplicates: Type.Integer({
    description: 'Events whose id was already stored (a retry): not counted twice',
  }),
  dropped: Type.Integer({
    description: 'Events not stored: no analytics consent, or a timestamp outside the accepted window',
  }),
  consented: Type.Boolean({
    description: 'Whether the caller agreed to analytics (consent type `analytics`)',
  }),
});

const Day = (description: string) => Type.String({ format: 'date', description });
const Interval = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
  description: 'Bucket: UTC day, ISO week (from Monday) or calendar month',
});
export type Interval = Static<typeof Interval>;

const Range = {
  from: Type.Optional(Day('First UTC day (default: 30 days before `to`)')),
  to: Type.Optional(Day('Last UTC day, included (default: today)')),
};

export const ActiveUsersQuery = Type.Object(
  { interval: Type.Optional(Interval), ...Range },
  { additionalProperties: false },
);
export type ActiveUsersQuery = Static<typeof ActiveUsersQuery>;

export const RetentionQuery = Type.Object(
  {
    cohort: Type.Optional(Interval),
    ...Range,
    periods: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 52, description: 'Periods after the first to show (default 8)' }),
    ),
  },
  { additionalProperties: false },
);
export type RetentionQuery = Static<typeof RetentionQuery>;

export const FunnelQuery = Type.Object(
  {
    steps: Text({
      minLength: 1,
      maxLength: 5 * 121,
      description:
        'Two to five event names, comma-separated, in order, e.g. `user.registered,couple.linked,love-note.sent`',
    }),
    ...Range,
    window: Type.Optional(
      Type.String({
        pattern: '^[1-9][0-9]{0,3}[mhd]$',
        description:
          'Time allowed from the first step to the last: minutes, hours or days, e.g. `30m`, `24h`, `7d` (default)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type FunnelQuery = Static<typeof FunnelQuery>;

export const GROUP_BY = ['none', 'event', 'platform', 'country', 'appVersion'] as const;
export const EventsQuery = Type.Object(
  {
    event: Type.Optional(
      Text({ minLength: 1, maxLength: 120, description: 'Only this event (default: every event)' }),
    ),
    groupBy: Type.Optional(
      Type.Union(
        GROUP_BY.map((g) => Type.Literal(g)),
        { description: 'One series per value of this dimension (default: one series)' },
      ),
    ),
    interval: Type.Optional(Interval),
    ...Range,
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

export const LiveQuery = Type.Object(
  {
    frames: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: 'Close the stream after this many frames (default: never)',
      }),
    ),
  },
  { additionalProperties: false },
);

const Period = Day('First UTC day of the bucket');

export const Responses = {
  ingest: Enveloped(IngestResult),
  activeUsers: Enveloped(
    Type.Object({
      interval: Interval,
      points: Type.Array(
        Type.Object({
          period: Period,
          users: Type.Integer({
            description: 'Distinct signed-in users with at least one event in the bucket',
          }),
        }),
      ),
    }),
  ),
  retention: Enveloped(
    Type.Object({
      cohort: Interval,
      cohorts: Type.Array(
        Type.Object({
          cohort: Day('First day of the cohort: users first seen in this bucket'),
          size: Type.Integer({ description: 'Users in the cohort' }),
          retained: Type.Array(Type.Integer(), {
            description:
              'Users of the cohort active in each period after it, the first being the cohort period itself',
          }),
          rates: Type.Array(Type.Number(), { description: '`retained` divided by `size`' }),
        }),
      ),
    }),
  ),
  funnel: Enveloped(
    Type.Object({
      window: Type.String({ description: 'The window applied' }),
      steps: Type.Array(
        Type.Object({
          event: Type.String({ description: 'Event name of the step' }),
          users: Type.Integer({ description: 'Users who reached this step in order within the window' }),
          conversion: Type.Number({ description: 'Share of the first step’s users' }),
          fromPrevious: Type.Number({ description: 'Share of the previous step’s users' }),
        }),
      ),
    }),
  ),
  events: Enveloped(
    Type.Object({
      interval: Interval,
      groupBy: Type.String({ description: 'The dimension of the series' }),
      series: Type.Array(
        Type.Object({
          key: Type.Union([Type.String(), Type.Null()], {
            description: 'The dimension’s value (null: unknown, or no grouping)',
          }),
          points: Type.Array(
            Type.Object({ period: Period, events: Type.Integer({ description: 'Events in the bucket' }) }),
          ),
        }),
      ),
    }),
  ),
};
