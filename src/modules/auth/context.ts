import path from 'node:path';
import type { Logger } from 'pino';
import { createMailTransport, type MailTransport } from '../../platform/channels/mail.ts';
import type { Config } from '../../platform/config.ts';
import type { Platform } from '../../platform/platform.ts';
import type { FieldEncryption } from '../../platform/security/field-encryption.ts';
import { type AccessTokens, CLOCK_TOLERANCE_SECONDS, createAccessTokens } from './access-tokens.ts';
import { createSignupBotCheck, type SignupBotCheck } from './bot-check.ts';
import type { AuthConfig } from './config.ts';
import { createPasswordHasher, type PasswordHasher } from './passwords.ts';
import { createRedisRefreshTokens, type RedisRefreshTokens } from './refresh-redis.ts';
import { createRevocations, type Revocations } from './revocations.ts';
import { type KeySet, loadKeySet } from './signing-keys.ts';
import type { AuthDb } from './tables.ts';
import { createLoginThrottle, type LoginThrottle } from './throttle.ts';

/** Everything the auth use cases need, built once per process and passed explicitly. */
export interface AuthContext {
  db: AuthDb;
  config: AuthConfig;
  publicUrl: string;
  appUrl: string;
  keys: KeySet;
  accessTokens: AccessTokens;
  /** Sessions revoked within an access-token lifetime, in memory in every process (revocations.ts). */
  revocations: Revocations;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  mail: MailTransport;
  encryption: FieldEncryption;
  /** Set when refresh tokens live in Redis (AUTH_REFRESH_STORE); PostgreSQL otherwise. */
  redisTokens: RedisRefreshTokens | undefined;
  /** The sign-up bot check (SIGNUP_BOT_CHECK); a no-op when off. */
  botCheck: SignupBotCheck;
  log: Pick<Logger, 'warn' | 'error'>;
}

/** Who is asking, for sessions and the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/** The access-token issuer when PUBLIC_URL is unset: the same in every process of one deployment. */
const DEFAULT_ISSUER = 'urn:one2one-love:api';

const contexts = new WeakMap<Platform, Promise<AuthContext>>();

/** One context per platform: the routes plugin and the global hook share it (and its key set). */
export function authContext(platform: Platform, log: AuthContext['log']): Promise<AuthContext> {
  let context = contexts.get(platform);
  if (!context) {
    context = build(platform, log);
    contexts.set(platform, context);
  }
  return context;
}

async function build(platform: Platform, log: AuthContext['log']): Promise<AuthContext> {
  const config: Config = platform.config;
  const keys = await loadKeySet(config);
  const mail = createMailTransport({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    outboxDir: path.join(config.dataDir, 'outbox', 'mail'),
  });
  platform.onClose(async () => mail.close());
  // The OAuth redirect URIs need an absolute URL even where links may be relative.
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const redisTokens =
    config.auth.refreshTokenStore === 'redis' && config.redis
      ? createRedisRefreshTokens(config.redis)
      : undefined;
  if (redisTokens) platform.onClose(async () => redisTokens.close());
  const db = platform.database.db as AuthDb;
  const revocations = createRevocations(platform, {
    db,
    // A token verified a little before it was issued (clock skew) lives that much longer.
    lifetimeMs: (config.auth.accessTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS) * 1000,
    onError: (error) => log.warn({ err: error }, 'auth: session revocations broadcast failed'),
  });
  // Serving before the first fill could accept a token revoked moments ago; a database that
  // does not answer in time must not keep the process from starting (tokens expire anyway).
  await Promise.race([revocations.ready(), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  return {
    db,
    config: config.auth,
    publicUrl,
    appUrl: config.appUrl,
    keys,
    accessTokens: createAccessTokens(keys, {
      // Not the port-derived fallback: processes on other ports (scale-out on one host, a test
      // beside a dev server) must accept each other's tokens without setting PUBLIC_URL.
      issuer: config.publicUrl ?? DEFAULT_ISSUER,
      audience: config.auth.audience,
      ttlSeconds: config.auth.accessTokenTtlSeconds,
      isRevoked: (sessionId) => revocations.refuses(sessionId),
    }),
    revocations,
    hasher: await createPasswordHasher(config.nodeEnv === 'test'),
    throttle: createLoginThrottle(platform.cache, { enabled: config.auth.loginThrottle }),
    mail,
    encryption: platform.encryption,
    redisTokens,
    botCheck: await createSignupBotCheck(platform, config.auth.botCheck),
    log,
  };
}
