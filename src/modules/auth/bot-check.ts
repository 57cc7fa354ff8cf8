import { hkdfSync, randomBytes } from 'node:crypto';
import { AppError, serviceUnavailable } from '../../platform/http/errors.ts';
import type { Platform } from '../../platform/platform.ts';
import {
  type BotCheck,
  BotCheckError,
  BotCheckUnavailable,
} from '../../platform/security/bot-check/bot-check.ts';
import {
  type Challenge,
  createProofOfWork,
  type ProofOfWork,
} from '../../platform/security/bot-check/proof-of-work.ts';
import { createSiteverify } from '../../platform/security/bot-check/siteverify.ts';
import { persistedSecret } from '../../platform/security/dev-secrets.ts';
import type { BotCheckConfig } from './config.ts';

/** What GET /v1/auth/challenge tells a client to do before it registers. */
export type ChallengeAnswer =
  | { kind: 'off' }
  | ({ kind: 'pow'; algorithm: 'sha256-leading-zero-bits' } & Challenge)
  | { kind: 'turnstile' | 'hcaptcha'; siteKey: string | null };

export interface SignupBotCheck {
  challenge(): ChallengeAnswer;
  /** Throws the API's error when the register request's `botCheck` does not pass. */
  verify(token: string | undefined, ip: string): Promise<void>;
}

/**
 * The challenges' HMAC key: SIGNUP_POW_SECRET, else derived from
 * ENCRYPTION_KEYS (HKDF, so the field-encryption keys themselves are never
 * used for anything else), else a development secret under DATA_DIR.
 */
async function powKey(platform: Platform, config: BotCheckConfig): Promise<Buffer> {
  if (config.powSecret) return Buffer.from(config.powSecret, 'utf8');
  const material =
    platform.config.encryptionKeys ??
    (await persistedSecret(platform.config.dataDir, 'signup-pow-key', () =>
      randomBytes(32).toString('base64'),
    ));
  return Buffer.from(hkdfSync('sha256', material, '', 'o2o signup proof of work v1', 32));
}

export async function createSignupBotCheck(
  platform: Platform,
  config: BotCheckConfig,
): Promise<SignupBotCheck> {
  if (config.mode === 'off') {
    return { challenge: () => ({ kind: 'off' }), verify: async () => {} };
  }
  let check: BotCheck;
  let challenge: () => ChallengeAnswer;
  if (config.mode === 'pow') {
    const pow: ProofOfWork = createProofOfWork({
      key: await powKey(platform, config),
      difficulty: config.powDifficulty,
      ttlSeconds: config.powTtlSeconds,
      // Set-once in the platform cache: Redis across processes, else this process.
      spend: async (id, ttl) => (await platform.cache.increment(`auth:pow:${id}`, 1, ttl)) === 1,
    });
    check = pow;
    challenge = () => ({ kind: 'pow', algorithm: 'sha256-leading-zero-bits', ...pow.issue() });
  } else {
    check = createSiteverify({ url: config.captchaVerifyUrl, secret: config.captchaSecret ?? '' });
    const answer = { kind: config.mode, siteKey: config.captchaSiteKey ?? null } as const;
    challenge = () => answer;
  }
  return {
    challenge,
    async verify(token, ip) {
      try {
        await check.verify(token, ip);
      } catch (error) {
        if (error instanceof BotCheckError)
          throw new AppError(400, 'BOT_CHECK_FAILED', error.message, { field: 'botCheck' });
        if (error instanceof BotCheckUnavailable) throw serviceUnavailable(5, error.message);
        // The replay store (Redis) failed: refuse rather than let a solution be spent twice.
        throw serviceUnavailable(5, 'The sign-up check is unavailable, retry shortly');
      }
    },
  };
}
