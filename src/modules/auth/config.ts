import { configSection, type EnvReader } from '../../platform/config.ts';

export interface OAuthProviderConfig {
  /** The path segment in /auth/oauth/{name}/start. */
  name: string;
  /** OpenID Connect issuer (discovery at <issuer>/.well-known/openid-configuration). */
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
}

/** The auth module's slice. */
export interface AuthConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Where refresh-token hashes live: Redis when REDIS_URL is set, else PostgreSQL. */
  refreshTokenStore: 'postgres' | 'redis';
  /** A session ends this long after login, however active it is. */
  sessionMaxAgeSeconds: number;
  /** A session ends after this long without a refresh. */
  sessionIdleSeconds: number;
  audience: string;
  /** The terms version a registration consents to. */
  termsVersion: string;
  /** Sign-ups the auth module allows per client address per hour (0: no limit). */
  registrationsPerIpPerHour: number;
  /** Failed-login delays and locks per account and address (off only for local development). */
  loginThrottle: boolean;
  oauthProviders: OAuthProviderConfig[];
  /** The bot check on sign-up (docs/auth.md). */
  botCheck: BotCheckConfig;
}

export interface BotCheckConfig {
  /** `off`, a proof of work, or a CAPTCHA provider speaking siteverify. */
  mode: 'off' | 'pow' | 'turnstile' | 'hcaptcha';
  /** Leading zero bits a proof of work must have (each one doubles the client's work). */
  powDifficulty: number;
  powTtlSeconds: number;
  /** HMAC key of challenges; unset: derived from ENCRYPTION_KEYS (or a generated one in development). */
  powSecret: string | undefined;
  captchaSecret: string | undefined;
  /** The widget's public site key, handed to clients by GET /v1/auth/challenge. */
  captchaSiteKey: string | undefined;
  captchaVerifyUrl: string;
}

const SITEVERIFY: Record<string, string> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
};

/** `SIGNUP_*`: on in production (a proof of work) unless set; off in development and test. */
function botCheckConfig(r: EnvReader, nodeEnv: string): BotCheckConfig {
  const mode = r.oneOf(
    'SIGNUP_BOT_CHECK',
    ['off', 'pow', 'turnstile', 'hcaptcha'] as const,
    nodeEnv === 'production' ? 'pow' : 'off',
  );
  const captchaSecret = r.optional('SIGNUP_CAPTCHA_SECRET');
  if ((mode === 'turnstile' || mode === 'hcaptcha') && !captchaSecret)
    r.problems.push(`SIGNUP_CAPTCHA_SECRET is required when SIGNUP_BOT_CHECK=${mode}`);
  return {
    mode,
    powDifficulty: r.int('SIGNUP_POW_DIFFICULTY', 18, 1, 32),
    powTtlSeconds: r.int('SIGNUP_POW_TTL_SECONDS', 300, 10, 3600),
    powSecret: r.optional('SIGNUP_POW_SECRET'),
    captchaSecret,
    captchaSiteKey: r.optional('SIGNUP_CAPTCHA_SITE_KEY'),
    captchaVerifyUrl:
      r.url('SIGNUP_CAPTCHA_VERIFY_URL', ['https:', 'http:']) ?? SITEVERIFY[mode] ?? SITEVERIFY.turnstile!,
  };
}

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    auth: AuthConfig;
  }
}

/** Issuers of the providers that speak OpenID Connect, so only their client id and secret are needed. */
const KNOWN_ISSUERS: Record<string, string> = {
  google: 'https://accounts.google.com',
  apple: 'https://appleid.apple.com',
};

/** `OAUTH_PROVIDERS=google,acme` with `OAUTH_<NAME>_CLIENT_ID`, `_CLIENT_SECRET` and `_ISSUER` each. */
function oauthProviders(r: EnvReader): OAuthProviderConfig[] {
  return r.list('OAUTH_PROVIDERS').flatMap((name) => {
    const prefix = `OAUTH_${name.toUpperCase().replaceAll('-', '_')}`;
    if (!/^[a-z0-9-]{1,32}$/.test(name)) {
      r.problems.push(`OAUTH_PROVIDERS: "${name}" must be lower-case letters, digits and dashes`);
      return [];
    }
    const issuer = r.url(`${prefix}_ISSUER`, ['https:', 'http:']) ?? KNOWN_ISSUERS[name];
    const clientId = r.optional(`${prefix}_CLIENT_ID`);
    if (!issuer) r.problems.push(`${prefix}_ISSUER is required for OAuth provider "${name}"`);
    if (!clientId) r.problems.push(`${prefix}_CLIENT_ID is required for OAuth provider "${name}"`);
    if (!issuer || !clientId) return [];
    return [{ name, issuer, clientId, clientSecret: r.optional(`${prefix}_CLIENT_SECRET`) }];
  });
}

/** `AUTH_*` and `OAUTH_*`: token lifetimes, sessions, terms version, OpenID providers. */
export const authConfig = configSection('auth', (r, platform) => {
  const refreshTokenStore = r.oneOf(
    'AUTH_REFRESH_STORE',
    ['postgres', 'redis'] as const,
    platform.redis ? 'redis' : 'postgres',
  );
  if (refreshTokenStore === 'redis' && !platform.redis) {
    r.problems.push('AUTH_REFRESH_STORE=redis needs REDIS_URL or REDIS_CLUSTER_NODES');
  }
  return {
    accessTokenTtlSeconds: r.int('AUTH_ACCESS_TOKEN_TTL_SECONDS', 900, 30, 3600),
    refreshTokenTtlSeconds: r.int('AUTH_REFRESH_TOKEN_TTL_SECONDS', 7 * 86_400, 60, 90 * 86_400),
    sessionMaxAgeSeconds: r.int('AUTH_SESSION_MAX_AGE_SECONDS', 30 * 86_400, 60, 365 * 86_400),
    sessionIdleSeconds: r.int('AUTH_SESSION_IDLE_SECONDS', 7 * 86_400, 60, 90 * 86_400),
    audience: r.string('AUTH_AUDIENCE', 'one2one-love-api'),
    termsVersion: r.string('AUTH_TERMS_VERSION', '2026-01-01'),
    registrationsPerIpPerHour: r.int('AUTH_REGISTRATIONS_PER_IP_PER_HOUR', 20, 0, 1_000_000),
    loginThrottle: r.bool('AUTH_LOGIN_THROTTLE', true),
    oauthProviders: oauthProviders(r),
    botCheck: botCheckConfig(r, platform.nodeEnv),
    refreshTokenStore,
  };
});
