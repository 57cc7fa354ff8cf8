import { type Static, Type } from 'typebox';
import { NonBlankText } from '../../platform/http/text.ts';

/**
 * Request and response schemas. Every body refuses unknown fields, so
 * `role`, `emailVerified` and the like are a 400, never applied.
 */
const strict = { additionalProperties: false } as const;

// Checked after trimming and lower-casing (in the service), so " Ana@X.org " is accepted as ana@x.org.
const Email = Type.String({ minLength: 3, maxLength: 320, description: 'Email address (case-insensitive)' });
const NewPassword = Type.String({
  minLength: 12,
  maxLength: 128,
  description: '12–128 characters; common passwords and ones containing the email are refused',
});
// Existing passwords are checked, not judged: no minimum, only a bound on hashing work.
const AnyPassword = Type.String({ minLength: 1, maxLength: 1024, description: 'The account password' });
const Token = Type.String({ minLength: 1, maxLength: 512, description: 'An opaque token' });
const TotpCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'A 6-digit code from the authenticator app',
});
const RecoveryCode = Type.String({
  minLength: 8,
  maxLength: 64,
  description: 'One of the one-time recovery codes',
});

export const User = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()], {
    description: 'From the profile (PATCH /v1/users/me changes it)',
  }),
  role: Type.Union([Type.Literal('user'), Type.Literal('editor'), Type.Literal('admin')]),
  emailVerified: Type.Boolean(),
});

export const Tokens = Type.Object({
  user: User,
  accessToken: Type.String({ description: 'JWT (ES256), sent as `Authorization: Bearer …`' }),
  refreshToken: Type.Optional(
    Type.String({ description: 'Opaque; absent in cookie mode, where it travels in an httpOnly cookie' }),
  ),
  csrfToken: Type.Optional(
    Type.String({ description: 'Cookie mode only: send as X-CSRF-Token when refreshing with the cookie' }),
  ),
  expiresIn: Type.Integer({ description: 'Access token lifetime in seconds' }),
});

export const MfaRequired = Type.Object({
  mfaRequired: Type.Literal(true),
  mfaToken: Type.String({ description: 'Send to POST /v1/auth/mfa/challenge with a code' }),
});

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: NewPassword,
    displayName: NonBlankText({ maxLength: 100 }),
    acceptTerms: Type.Boolean({ description: 'Must be true: consent to the current terms' }),
    botCheck: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          'When GET /v1/auth/challenge says a check is on: the solved proof of work (`<challenge>:<nonce>`) or the CAPTCHA widget’s token',
      }),
    ),
  },
  strict,
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({ email: Email, password: AnyPassword }, strict);
export const MfaChallengeBody = Type.Object(
  { mfaToken: Token, code: Type.Optional(TotpCode), recoveryCode: Type.Optional(RecoveryCode) },
  strict,
);
export const RefreshBody = Type.Object({ refreshToken: Type.Optional(Token) }, strict);
export const TokenBody = Type.Object({ token: Token }, strict);
export const ForgotBody = Type.Object({ email: Email }, strict);
export const ResetBody = Type.Object({ token: Token, password: NewPassword }, strict);
export const ChangePasswordBody = Type.Object(
  { currentPassword: AnyPassword, newPassword: NewPassword },
  strict,
);
export const ReauthenticateBody = Type.Object({ password: AnyPassword }, strict);
export const CodeBody = Type.Object({ code: TotpCode }, strict);
export const DisableMfaBody = Type.Object(
  { code: Type.Optional(TotpCode), password: Type.Optional(AnyPassword) },
  strict,
);

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
export const ProviderParams = Type.Object(
  { provider: Type.String({ pattern: '^[a-z0-9-]{1,32}$' }) },
  strict,
);
const QueryValue = Type.String({ maxLength: 4096 });
// What providers send back (RFC 6749, RFC 9207, OIDC session management); others pass through to openid-client.
export const CallbackQuery = Type.Object(
  {
    code: Type.Optional(QueryValue),
    state: Type.Optional(QueryValue),
    iss: Type.Optional(QueryValue),
    error: Type.Optional(QueryValue),
    error_description: Type.Optional(QueryValue),
    session_state: Type.Optional(QueryValue),
  },
  { additionalProperties: true },
);

export const Accepted = Type.Object({ message: Type.String() });
export const Done = Type.Object({ ok: Type.Literal(true) });

export const Session = Type.Object({
  id: Type.String({ format: 'uuid' }),
  current: Type.Boolean({ description: 'The session of the token making this request' }),
  method: Type.String({ description: 'How it started: password, password+totp, oauth:<provider>' }),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
});

export const Identity = Type.Object({
  id: Type.String({ format: 'uuid' }),
  provider: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const TotpSetup = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for manual entry' }),
  otpauthUrl: Type.String({ description: 'otpauth:// URI' }),
  qrCode: Type.String({ description: 'The otpauth URI as a PNG data URL' }),
});
export const RecoveryCodes = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Each works once; shown only now' }),
});

export const AuditQuery = Type.Object(
  {
    userId: Type.Optional(Type.String({ format: 'uuid' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  strict,
);
export const AuditRecord = Type.Object({
  id: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  userId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const Challenge = Type.Union(
  [
    Type.Object({ kind: Type.Literal('off', { description: 'No check: register without `botCheck`' }) }),
    Type.Object({
      kind: Type.Literal('pow'),
      algorithm: Type.Literal('sha256-leading-zero-bits'),
      challenge: Type.String({
        description:
          'Find a decimal nonce such that SHA-256 of `<challenge>:<nonce>` starts with `difficulty` zero bits; send `<challenge>:<nonce>` as `botCheck`',
      }),
      difficulty: Type.Integer({ description: 'Leading zero bits wanted' }),
      expiresAt: Type.String({ format: 'date-time', description: 'The solution must arrive before this' }),
    }),
    Type.Object({
      kind: Type.Union([Type.Literal('turnstile'), Type.Literal('hcaptcha')]),
      siteKey: Type.Union([Type.String(), Type.Null()], {
        description: 'The widget’s site key; send its token as `botCheck`',
      }),
    }),
  ],
  { description: 'What a client must do before POST /v1/auth/register' },
);
