import { Type } from 'typebox';
import { Enveloped, EnvelopedPage } from '../../platform/http/envelope.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import { NonBlankText, Text } from '../../platform/http/text.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = (description: string) => Type.String({ format: 'date-time', description });

export const NOTE_STATUSES = ['scheduled', 'sent', 'delivered', 'read', 'cancelled'] as const;
export const TEMPLATE_CATEGORIES = [
  'morning',
  'goodnight',
  'apology',
  'gratitude',
  'missing-you',
  'anniversary',
  'encouragement',
  'playful',
] as const;

export const Emoji = Type.String({
  format: 'emoji',
  minLength: 1,
  maxLength: 32,
  description:
    'One emoji: an RGI emoji sequence (skin tones, flags and ZWJ sequences included), e.g. ❤️ or 👍🏽',
});

export const NoteIdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Note id' }) });
export const ReactionParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Note id' }),
  emoji: Emoji,
});

const Variables = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$' }),
  Text({ maxLength: 200 }),
  {
    description: 'Values for {{variables}} of the template or body that the server does not know itself',
    maxProperties: 20,
  },
);

export const SendNoteBody = Type.Object(
  {
    body: Type.Optional(
      NonBlankText({
        maxLength: 5000,
        description: 'The note; any Unicode, 1–5000 characters, not only whitespace',
      }),
    ),
    mood: Type.Optional(NonBlankText({ maxLength: 40, description: 'A mood tag, e.g. "tender"' })),
    templateId: Type.Optional(
      Text({ minLength: 1, maxLength: 64, description: 'A catalogue or personal template' }),
    ),
    variables: Type.Optional(Variables),
    scheduledAt: Type.Optional(
      Text({
        maxLength: 40,
        description:
          'When to deliver: an ISO time with offset (2026-12-24T08:00:00Z), or a local time without offset (2026-12-24T08:00) read in `timeZone`',
      }),
    ),
    timeZone: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 64,
        description: "IANA zone for local times and recurrence; default: the sender's",
      }),
    ),
    recurrence: Type.Optional(
      Text({
        minLength: 6,
        maxLength: 500,
        description: 'RFC 5545 RRULE (e.g. FREQ=DAILY;COUNT=30), from scheduledAt',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PatchNoteBody = Type.Object(
  {
    body: Type.Optional(NonBlankText({ maxLength: 5000 })),
    mood: Type.Optional(Nullable(NonBlankText({ maxLength: 40 }))),
    scheduledAt: Type.Optional(Text({ maxLength: 40 })),
    timeZone: Type.Optional(Text({ minLength: 1, maxLength: 64 })),
    recurrence: Type.Optional(Nullable(Text({ minLength: 6, maxLength: 500 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ListNotesQuery = Type.Object(
  {
    ...PaginationQuery.properties,
    box: Type.Optional(
      Type.Union([Type.Literal('inbox'), Type.Literal('sent'), Type.Literal('scheduled')], {
        default: 'inbox',
        description: 'inbox: received; sent: sent and delivered; scheduled: waiting to go',
      }),
    ),
    status: Type.Optional(Type.Enum(NOTE_STATUSES)),
    from: Type.Optional(DateTime('Created at or after')),
    to: Type.Optional(DateTime('Created before')),
    favorite: Type.Optional(Type.Boolean({ description: 'Only notes I marked favorite' })),
    coupleId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'A couple of mine other than the current one: a closed couple during its 30 read-only days ' +
          '(by default, the active couple, else the couple that closed last)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Reaction = Type.Object({
  userId: Type.String(),
  emoji: Type.String(),
  createdAt: Type.String(),
});

export const Note = Type.Object({
  id: Type.String({ format: 'uuid' }),
  senderId: Type.String({ format: 'uuid' }),
  recipientId: Type.String({ format: 'uuid' }),
  body: Type.String(),
  mood: Type.Union([Type.String(), Type.Null()]),
  templateId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(NOTE_STATUSES),
  scheduledAt: Type.Union([Type.String(), Type.Null()]),
  timeZone: Type.Union([Type.String(), Type.Null()]),
  recurrence: Type.Union([Type.String(), Type.Null()]),
  paused: Type.Boolean(),
  seriesId: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  readAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  reactions: Type.Array(Reaction),
  favorite: Type.Boolean(),
});

export const DeliveryStep = Type.Object({
  step: Type.Union(
    [
      Type.Literal('queued'),
      Type.Literal('sent'),
      Type.Literal('delivered'),
      Type.Literal('read'),
      Type.Literal('channel'),
    ],
    {
      description:
        'The status timeline queued → sent → delivered → read, then one `channel` entry per channel the notifications module used to tell the recipient',
    },
  ),
  at: Type.String(),
  channel: Type.Optional(
    Type.String({
      description: '`in-app` for delivered; for `channel`: in_app, web_push, mobile_push, email, sms',
    }),
  ),
  status: Type.Optional(
    Type.Union(
      [
        Type.Literal('pending'),
        Type.Literal('sent'),
        Type.Literal('delivered'),
        Type.Literal('failed'),
        Type.Literal('suppressed'),
      ],
      { description: "For `channel`: that channel's latest outcome" },
    ),
  ),
  reason: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description:
        'For `channel`, shown to the recipient only: why (quiet-hours, preference, no-target, fallback, …)',
    }),
  ),
});

export const Template = Type.Object({
  id: Type.String(),
  category: Type.String(),
  title: Type.String(),
  body: Type.String(),
  variables: Type.Array(Type.String()),
  personal: Type.Boolean(),
});

export const TemplateQuery = Type.Object(
  { category: Type.Optional(Type.Enum(TEMPLATE_CATEGORIES)) },
  { additionalProperties: false },
);
export const TemplateIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const CreateTemplateBody = Type.Object(
  {
    category: Type.Enum(TEMPLATE_CATEGORIES),
    title: NonBlankText({ maxLength: 80 }),
    body: NonBlankText({ maxLength: 5000 }),
  },
  { additionalProperties: false },
);
export const PatchTemplateBody = Type.Partial(CreateTemplateBody, {
  additionalProperties: false,
  minProperties: 1,
});

export const Settings = Type.Object(
  { readReceipts: Type.Boolean({ description: 'Let the sender see when I read their notes' }) },
  { additionalProperties: false },
);

export const Responses = {
  note: Enveloped(Note),
  notes: EnvelopedPage(Note),
  deliveries: Enveloped(Type.Array(DeliveryStep)),
  template: Enveloped(Template),
  templates: Enveloped(Type.Array(Template)),
  settings: Enveloped(Settings),
  none: Enveloped(Type.Null()),
};
