import { type Static, Type } from 'typebox';
import { LiteralUnion } from '../../platform/http/literals.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import { CATEGORIES, CHANNELS } from './tables.ts';

const Id = Type.String({ format: 'uuid', description: 'Notification id' });

export const IdParams = Type.Object({ id: Id });

export const ListQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    unread: Type.Optional(Type.Boolean({ description: 'Only unread notifications' })),
  }),
]);
export type ListQuery = Static<typeof ListQuery>;

export const Notification = Type.Object({
  id: Id,
  kind: Type.String({ description: 'What happened, e.g. love-note.received' }),
  category: LiteralUnion(CATEGORIES, { description: 'Preference category' }),
  priority: Type.Union([Type.Literal('urgent'), Type.Literal('normal'), Type.Literal('low')]),
  title: Type.String(),
  body: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'Deep-link ids for the app' }),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const UnreadCount = Type.Object({ count: Type.Integer({ minimum: 0 }) });
export const Updated = Type.Object({
  updated: Type.Integer({ minimum: 0, description: 'Notifications marked read' }),
});

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const Delivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  notificationId: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  channel: LiteralUnion(CHANNELS),
  status: LiteralUnion(['pending', 'sent', 'delivered', 'failed', 'suppressed'], {
    description: 'pending → sent → delivered | failed | suppressed',
  }),
  reason: Nullable(
    Type.String({ description: 'Why suppressed or failed: preference, no-target, permanent, ...' }),
  ),
  digest: Type.Boolean({ description: 'Waits for the hourly digest' }),
  attempts: Type.Integer({ minimum: 0 }),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  providerMessageId: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  kind: Type.Optional(Type.String()),
  category: Type.Optional(Type.String()),
});

export const VapidKey = Type.Object({
  publicKey: Type.String({ description: 'applicationServerKey for pushManager.subscribe (base64url)' }),
});

export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'PushSubscription.endpoint (https)',
    }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object(
      {
        p256dh: Type.String({ minLength: 1, maxLength: 200, description: 'P-256 public key, base64url' }),
        auth: Type.String({ minLength: 1, maxLength: 100, description: 'Auth secret, base64url' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: "The browser's PushSubscription.toJSON()" },
);
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>;

export const PushSubscription = Type.Object({
  id: Type.String({ format: 'uuid' }),
  endpoint: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const DeviceBody = Type.Object(
  {
    platform: Type.Union([Type.Literal('ios'), Type.Literal('android')]),
    token: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'APNs device token or FCM registration token',
    }),
  },
  { additionalProperties: false },
);
export type DeviceBody = Static<typeof DeviceBody>;

export const Device = Type.Object({
  id: Type.String({ format: 'uuid' }),
  platform: Type.Union([Type.Literal('ios'), Type.Literal('android')]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const UnsubscribeQuery = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 2048, description: 'From the link in the mail' }),
});

export const Unsubscribe = Type.Object({
  category: Type.String(),
  channel: Type.Literal('email'),
  unsubscribed: Type.Optional(Type.Boolean()),
});

export const TwilioStatusBody = Type.Record(Type.String(), Type.String(), {
  description: 'Twilio status callback form (MessageSid, MessageStatus, ErrorCode, ...)',
});

const switchesOf = (on: (channel: (typeof CHANNELS)[number]) => ReturnType<typeof Type.Boolean>) =>
  Object.fromEntries(CHANNELS.map((channel) => [channel, on(channel)]));

/** The whole matrix, as GET and PATCH answer it. */
export const Preferences = Type.Object(
  Object.fromEntries(CATEGORIES.map((category) => [category, Type.Object(switchesOf(() => Type.Boolean()))])),
  {
    description:
      'Category × channel switches: whether a notification of that category may reach you on that channel. `security` in_app and email are always on.',
  },
);

/** Some switches; every other one keeps its value. */
export const PreferencesUpdate = Type.Object(
  Object.fromEntries(
    CATEGORIES.map((category) => [
      category,
      Type.Optional(
        Type.Object(
          switchesOf((channel) => Type.Optional(Type.Boolean({ description: `${category} on ${channel}` }))),
          { additionalProperties: false, minProperties: 1 },
        ),
      ),
    ]),
  ),
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'e.g. {"love-notes":{"email":false}}; unnamed categories and channels keep their value',
  },
);
export type PreferencesUpdate = Static<typeof PreferencesUpdate>;
