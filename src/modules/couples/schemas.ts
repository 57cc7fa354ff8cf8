import { type Static, Type } from 'typebox';
import { Text } from '../../platform/http/text.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const InviteCodeParams = Type.Object({
  code: Type.String({ pattern: '^[0-9A-Za-z]{12}$', description: 'Invite code (12 characters)' }),
});

const Card = Type.Object({
  id: Type.String({ format: 'uuid' }),
  handle: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  avatarUrl: Nullable(Type.String()),
});

export const CreatedInvite = Type.Object({
  code: Type.String(),
  url: Type.String({ description: 'Link to share with your partner' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const InviteView = Type.Object({
  code: Type.String(),
  status: Type.Enum(['pending', 'accepted', 'declined', 'revoked', 'expired']),
  expiresAt: Type.String({ format: 'date-time' }),
  inviter: Nullable(Card),
});

export const CoupleView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Enum(['active', 'closed']),
  partner: Nullable(Card),
  linkedAt: Type.String({ format: 'date-time' }),
  relationshipStart: Nullable(Type.String({ format: 'date' })),
  anniversary: Nullable(Type.String({ format: 'date' })),
  daysTogether: Type.Integer({ description: 'Since the relationship start (or linking), in whole days' }),
  nicknames: Type.Object({
    forPartner: Nullable(Type.String({ description: 'What you call your partner' })),
    fromPartner: Nullable(Type.String({ description: 'What your partner calls you' })),
  }),
  closedAt: Nullable(Type.String({ format: 'date-time' })),
  readOnlyUntil: Nullable(
    Type.String({ format: 'date-time', description: 'A closed couple stays readable until then' }),
  ),
});

export const CoupleUpdate = Type.Object(
  {
    relationshipStart: Type.Optional(Nullable(Type.String({ format: 'date' }))),
    anniversary: Type.Optional(Nullable(Type.String({ format: 'date' }))),
    nickname: Type.Optional(Nullable(Text({ maxLength: 40, description: 'What you call your partner' }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CoupleUpdate = Static<typeof CoupleUpdate>;
