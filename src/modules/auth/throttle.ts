import { createHash } from 'node:crypto';
import type { Cache } from '../../platform/cache/index.ts';
import { AppError, serviceUnavailable } from '../../platform/http/errors.ts';

/**
 * Failed-login throttling per account and per IP: growing delays, then a
 * 15-minute lock; a success clears the account's counter. Counters live in
 * the platform cache (Redis across processes). They fail closed: when the
 * store does not answer, sign-in answers 503 instead of allowing unlimited guesses.
 */
export interface LoginThrottle {
  assertAllowed(email: string, ip: string): Promise<void>;
  recordFailure(email: string, ip: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
  /** Adds one to a fixed-window counter and returns it (other per-IP limits, e.g. sign-ups). */
  count(key: string, windowSeconds: number): Promise<number>;
}

const WINDOW_SECONDS = 15 * 60;
const LOCK_SECONDS = 15 * 60;
const STORE_TIMEOUT_MS = 2000;

interface Policy {
  /** Failures allowed before any delay. */
  free: number;
  /** Failures after which the key is locked for LOCK_SECONDS. */
  lockAt: number;
}

// An IP is shared by many people behind NAT, so it gets far more room than one account.
const ACCOUNT: Policy = { free: 3, lockAt: 10 };
const IP: Policy = { free: 20, lockAt: 100 };

/** Seconds to wait after the n-th failure: 0, then 1, 2, 4 ... capped, then the lock. */
export function delayAfter(failures: number, policy: Policy): number {
  if (failures < policy.free) return 0;
  if (failures >= policy.lockAt) return LOCK_SECONDS;
  return Math.min(2 ** (failures - policy.free), 300);
}

function hashed(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

async function guarded<T>(operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      operation,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('throttle store timeout')), STORE_TIMEOUT_MS);
      }),
    ]);
  } catch {
    throw serviceUnavailable(5, 'Sign-in is temporarily unavailable, retry shortly');
  } finally {
    clearTimeout(timer);
  }
}

/** `enabled: false` (AUTH_LOGIN_THROTTLE=false, local development) allows every attempt. */
export function createLoginThrottle(
  cache: Cache,
  options: { enabled: boolean } = { enabled: true },
): LoginThrottle {
  const keys = (email: string, ip: string) => [
    { policy: ACCOUNT, key: `auth:throttle:account:${hashed(email)}` },
    { policy: IP, key: `auth:throttle:ip:${hashed(ip)}` },
  ];
  return {
    async assertAllowed(email, ip) {
      if (!options.enabled) return;
      const now = Date.now();
      const untils = await guarded(
        Promise.all(keys(email, ip).map(({ key }) => cache.get<number>(`${key}:until`))),
      );
      const wait = Math.max(0, ...untils.map((until) => (until ?? 0) - now));
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        // RateLimit headers (IETF httpapi draft) as the architecture asks of every 429.
        throw new AppError(
          429,
          'RATE_LIMITED',
          `Too many failed sign-in attempts; try again in ${seconds} s (AUTH_LOGIN_THROTTLE=false turns this off for local development)`,
          {
            headers: {
              'retry-after': String(seconds),
              'ratelimit-policy': `"failed-logins";q=${ACCOUNT.free};w=${WINDOW_SECONDS}`,
              ratelimit: `"failed-logins";r=0;t=${seconds}`,
            },
          },
        );
      }
    },
    async recordFailure(email, ip) {
      if (!options.enabled) return;
      await guarded(
        Promise.all(
          keys(email, ip).map(async ({ key, policy }) => {
            const failures = await cache.increment(`${key}:count`, 1, WINDOW_SECONDS);
            const delay = delayAfter(failures, policy);
            if (delay > 0) await cache.set(`${key}:until`, Date.now() + delay * 1000, delay);
          }),
        ),
      );
    },
    async recordSuccess(email) {
      const [account] = keys(email, '');
      await guarded(cache.delete(`${account!.key}:count`, `${account!.key}:until`));
    },
    count(key, windowSeconds) {
      return guarded(cache.increment(key, 1, windowSeconds));
    },
  };
}
