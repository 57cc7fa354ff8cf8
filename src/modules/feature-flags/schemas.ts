import { type Static, Type } from 'typebox';
import { Enveloped, EnvelopedPage } from '../../platform/http/envelope.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import { Text } from '../../platform/http/text.ts';

/** A flag key: lower case letters, digits, `-` and `.`, starting with a letter, 2–63 characters. */
export const FLAG_KEY_PATTERN = '^[a-z][a-z0-9.-]{1,62}$';

const FlagKey = Type.String({
  pattern: FLAG_KEY_PATTERN,
  description: 'Flag key: `^[a-z][a-z0-9-.]{1,62}$`, e.g. `coach` or `inbox.v2`',
});

const UserIds = (what: string) =>
  Type.Array(Type.String({ format: 'uuid', description: 'User id' }), {
    maxItems: 1000,
    uniqueItems: true,
    description: what,
  });

/** The settings of a flag, as written by an admin; each field optional where a default applies. */
const settings = {
  description: Type.Optional(Text({ maxLength: 500, description: 'What the flag gates, for admins' })),
  enabled: Type.Optional(
    Type.Boolean({
      description:
        'The kill switch: false makes every evaluation answer defaultValue, whatever the lists and rollout (default true)',
    }),
  ),
  defaultValue: Type.Optional(
    Type.Boolean({ description: 'What the flag answers everyone while disabled (default false)' }),
  ),
  rolloutPercentage: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 100,
      description:
        'Share of users for whom the flag is on, by a stable hash of flag key and user id: raising it only adds users (default 0)',
    }),
  ),
  allowUsers: Type.Optional(
    UserIds('Users for whom the flag is on whatever the rollout, at most 1000 (default none)'),
  ),
  denyUsers: Type.Optional(
    UserIds('Users for whom the flag is off whatever the rollout; deny wins over allow, at most 1000'),
  ),
};

export const FlagKeyParams = Type.Object({ key: FlagKey });

/** PUT /admin/feature-flags/:key: the whole definition; omitted fields take their defaults. */
export const PutFlagBody = Type.Object(settings, { additionalProperties: false });
export type FlagSettingsInput = Static<typeof PutFlagBody>;

export const CreateFlagBody = Type.Object({ key: FlagKey, ...settings }, { additionalProperties: false });
export type CreateFlagBody = Static<typeof CreateFlagBody>;

export const PatchFlagBody = Type.Object(settings, {
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change; the others keep their values',
});

export const ListQuery = Type.Object(PaginationQuery.properties, { additionalProperties: false });

export const FlagSettings = Type.Object({
  description: Type.String(),
  enabled: Type.Boolean(),
  defaultValue: Type.Boolean(),
  rolloutPercentage: Type.Integer({ minimum: 0, maximum: 100 }),
  allowUsers: Type.Array(Type.String({ format: 'uuid' })),
  denyUsers: Type.Array(Type.String({ format: 'uuid' })),
});
export type FlagSettings = Static<typeof FlagSettings>;

export const FlagView = Type.Object({
  key: Type.String({ description: 'Flag key' }),
  ...FlagSettings.properties,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The admin who made the last change',
  }),
});
export type FlagView = Static<typeof FlagView>;

export const AuditView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  flagKey: Type.String(),
  action: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('deleted')]),
  actorId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  before: Type.Union([FlagSettings, Type.Null()], { description: 'The settings before (null: none)' }),
  after: Type.Union([FlagSettings, Type.Null()], { description: 'The settings after (null: deleted)' }),
  occurredAt: Type.String({ format: 'date-time' }),
});
export type AuditView = Static<typeof AuditView>;

export const EvaluatedFlags = Type.Object({
  flags: Type.Record(Type.String(), Type.Boolean(), {
    description: 'Every defined flag, evaluated for you: key → on or off',
  }),
});

export const Responses = {
  flag: Enveloped(FlagView),
  flags: EnvelopedPage(FlagView),
  history: EnvelopedPage(AuditView),
  evaluated: Enveloped(EvaluatedFlags),
};
