import { type Static, Type } from 'typebox';
import { NonBlankText, Text } from '../../platform/http/text.ts';

/** Request and response shapes of the users module; every field is described for OpenAPI. */

export const LOVE_LANGUAGES = [
  'words-of-affirmation',
  'quality-time',
  'receiving-gifts',
  'acts-of-service',
  'physical-touch',
] as const;

export const UserId = Type.String({ format: 'uuid', description: 'User id' });
export const UserIdParams = Type.Object({ id: UserId });

export const Handle = Type.String({
  minLength: 3,
  maxLength: 30,
  pattern: '^[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?$',
  description: 'Unique handle, 3–30 letters, digits, `_` or inner `.`; unique without regard to case',
});

const AvatarUrls = Type.Union([
  Type.Object({
    small: Type.String({ description: '64 px WebP' }),
    medium: Type.String({ description: '256 px WebP' }),
    large: Type.String({ description: '1024 px WebP' }),
  }),
  Type.Null(),
]);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** What anyone may see of a discoverable person (search, invites, partner cards). */
export const PublicCard = Type.Object({
  id: UserId,
  handle: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  avatarUrl: Nullable(Type.String({ description: '256 px avatar' })),
});

/** What a partner sees. */
export const SharedProfile = Type.Object({
  ...PublicCard.properties,
  birthday: Nullable(Type.String({ format: 'date' })),
  pronouns: Nullable(Type.String()),
  timeZone: Type.String(),
  loveLanguages: Type.Array(Type.String()),
  bio: Nullable(Type.String()),
  avatarUrls: AvatarUrls,
});

/** What a person sees of themselves. */
export const FullProfile = Type.Object({
  ...SharedProfile.properties,
  locale: Type.String(),
  discoverable: Type.Boolean(),
  status: Type.String({ description: 'active | suspended' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ProfileView = Type.Union([FullProfile, SharedProfile, PublicCard]);

export const ProfileUpdate = Type.Object(
  {
    displayName: Type.Optional(NonBlankText({ maxLength: 60, description: 'Shown name' })),
    handle: Type.Optional(Handle),
    birthday: Type.Optional(Nullable(Type.String({ format: 'date', description: 'YYYY-MM-DD' }))),
    pronouns: Type.Optional(Nullable(Text({ maxLength: 40 }))),
    timeZone: Type.Optional(
      Text({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris' }),
    ),
    locale: Type.Optional(
      Type.String({ minLength: 2, maxLength: 35, description: 'BCP 47 tag, e.g. en-GB' }),
    ),
    loveLanguages: Type.Optional(
      Type.Array(Type.Enum([...LOVE_LANGUAGES]), {
        maxItems: 5,
        uniqueItems: true,
        description: 'The five love languages, in order of importance',
      }),
    ),
    bio: Type.Optional(Nullable(Text({ maxLength: 500 }))),
    discoverable: Type.Optional(Type.Boolean({ description: 'Findable by search and visible to strangers' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ProfileUpdate = Static<typeof ProfileUpdate>;

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, local time' });

export const PreferencesUpdate = Type.Object(
  {
    quietHours: Type.Optional(
      Type.Object(
        { enabled: Type.Optional(Type.Boolean()), start: Type.Optional(Time), end: Type.Optional(Time) },
        { additionalProperties: false, description: "In the user's time zone; may wrap midnight" },
      ),
    ),
    weekStart: Type.Optional(Type.Enum(['monday', 'sunday', 'saturday'])),
    units: Type.Optional(Type.Enum(['metric', 'imperial'])),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description:
      'Profile-level settings. Which notifications reach you on which channel is /v1/notifications/preferences.',
  },
);
export type PreferencesUpdate = Static<typeof PreferencesUpdate>;

export const Preferences = Type.Object({
  quietHours: Type.Object({ enabled: Type.Boolean(), start: Type.String(), end: Type.String() }),
  weekStart: Type.String(),
  units: Type.String(),
});
export type Preferences = Static<typeof Preferences>;

export const SearchQuery = Type.Object({
  q: Text({ minLength: 2, maxLength: 64, description: 'Handle or display name (prefix or fuzzy)' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

export const CONSENT_TYPES = ['terms', 'privacy', 'marketing', 'ai-coach', 'analytics'] as const;
export type ConsentType = (typeof CONSENT_TYPES)[number];

export const ConsentInput = Type.Object(
  {
    type: Type.Enum([...CONSENT_TYPES]),
    version: Text({ minLength: 1, maxLength: 32, description: 'Version of the document agreed to' }),
    granted: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ConsentInput = Static<typeof ConsentInput>;

export const Consent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  version: Type.String(),
  granted: Type.Boolean(),
  ip: Nullable(Type.String()),
  recordedAt: Type.String({ format: 'date-time' }),
});

export const Consents = Type.Object({
  current: Type.Array(Consent, { description: 'The latest decision per type' }),
  history: Type.Array(Consent, { description: 'Every decision, newest first' }),
  required: Type.Record(Type.String(), Type.String(), { description: 'Current version per required type' }),
});

export const ExportJob = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Enum(['pending', 'running', 'ready', 'failed']),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Nullable(Type.String({ format: 'date-time' })),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  downloadUrl: Nullable(Type.String({ description: 'Signed link to the ZIP, valid until expiresAt' })),
});

export const ExportParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const DeletionInput = Type.Object(
  {
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    code: Type.Optional(Type.String({ minLength: 6, maxLength: 32, description: 'MFA or recovery code' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type DeletionInput = Static<typeof DeletionInput>;

export const AdminUser = Type.Object({
  ...FullProfile.properties,
  suspendedAt: Nullable(Type.String({ format: 'date-time' })),
  suspensionReason: Nullable(Type.String()),
});

export const AdminQuery = Type.Object({
  q: Type.Optional(Text({ minLength: 1, maxLength: 64, description: 'Handle/name prefix or a user id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

export const SuspendInput = Type.Object(
  { reason: Type.Optional(Text({ maxLength: 500 })) },
  { additionalProperties: false },
);
