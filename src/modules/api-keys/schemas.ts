import { type Static, Type } from 'typebox';
import { Enveloped, EnvelopedPage } from '../../platform/http/envelope.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';

const strict = { additionalProperties: false };
const MAX_GRACE = 30 * 86_400;

export const Scope = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,40}:[a-z][a-z0-9-]{0,40}$',
  description: 'A scope a route accepts, e.g. `content:read` (GET /v1/admin/api-keys/scopes lists them)',
});

export const CreateKeyBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '\\S',
      description: 'What the key is for (the integration)',
    }),
    scopes: Type.Array(Scope, {
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      description: 'What it may do',
    }),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When it stops working (unset: until revoked)' }),
    ),
    rateLimitPerMinute: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000_000,
        description: 'Requests per minute for this key (default API_KEY_RATE_LIMIT_PER_MINUTE)',
      }),
    ),
  },
  strict,
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const RotateBody = Type.Object(
  {
    graceSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_GRACE,
        description:
          'How long the old key keeps working (default API_KEY_ROTATION_GRACE_SECONDS; 0: stops now)',
      }),
    ),
  },
  strict,
);
export type RotateBody = Static<typeof RotateBody>;

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
export const ListQuery = Type.Object(
  {
    ...PaginationQuery.properties,
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')], {
        description: 'Only keys in this state',
      }),
    ),
  },
  strict,
);
export type ListQuery = Static<typeof ListQuery>;

const Time = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

export const ApiKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({
    description: 'The start of the key (`o2o_live_…`), to tell keys apart; not a secret',
  }),
  scopes: Type.Array(Type.String()),
  rateLimitPerMinute: Type.Integer(),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The admin who made it',
  }),
  expiresAt: Time('When it stops (or stopped) working; set by a rotation to the end of the grace period'),
  revokedAt: Time('When it was revoked'),
  lastUsedAt: Time('Last authenticated request (updated at most once a minute)'),
  rotatedFrom: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The key this one replaced',
  }),
});
export type ApiKey = Static<typeof ApiKey>;

export const CreatedKey = Type.Object({
  key: ApiKey,
  secret: Type.String({
    description:
      'The whole key (`o2o_live_…`): shown this once, only its hash is kept. Send it as `X-API-Key` or `Authorization: Bearer`',
  }),
});

export const ScopeInfo = Type.Object({
  scope: Type.String(),
  routes: Type.Array(Type.String(), { description: 'The routes (`METHOD /v1/path`) that accept it' }),
});

export const Responses = {
  key: Enveloped(ApiKey),
  created: Enveloped(CreatedKey),
  keys: EnvelopedPage(ApiKey),
  scopes: Enveloped(Type.Array(ScopeInfo)),
};
