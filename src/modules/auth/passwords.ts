import { hash, parseOptions, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { validationError } from '../../platform/http/errors.ts';

/**
 * argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), or a cheap
 * variant under NODE_ENV=test so suites stay fast. `@node-rs/argon2` rather
 * than `argon2`: the latter's prebuilt binary crashes on this Node.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
  /** True when a stored hash was made with other parameters (rehash after a successful login). */
  needsRehash(hashed: string): boolean;
  /** Spends one verification on a throwaway hash, so an unknown email costs what a known one does. */
  burn(password: string): Promise<void>;
}

const PRODUCTION = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const TEST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export async function createPasswordHasher(lightweight: boolean): Promise<PasswordHasher> {
  const options = lightweight ? TEST : PRODUCTION;
  const dummy = await hash('a password nobody has, for timing only', options);
  return {
    hash: (password) => hash(password, options),
    async verify(hashed, password) {
      try {
        return await verify(hashed, password);
      } catch {
        return false;
      }
    },
    needsRehash(hashed) {
      try {
        const parsed = parseOptions(hashed);
        return parsed.memoryCost !== options.memoryCost || parsed.timeCost !== options.timeCost;
      } catch {
        return true;
      }
    },
    async burn(password) {
      await verify(dummy, password).catch(() => false);
    },
  };
}

// Only entries of an acceptable length matter: shorter ones fail the length rule first.
const COMMON = new Set(dictionary.passwords.map((p) => p.toLowerCase()));

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/**
 * ASVS 2.1: length 12–128, no composition rules, refused when common (a shipped
 * list of ~49k leaked passwords, also as the stem of "password1234!") or when it
 * contains the email's local part.
 */
export function assertAcceptablePassword(password: string, email: string, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw validationError(`${field} must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`, field);
  }
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  if (COMMON.has(lower) || (stem.length >= 4 && COMMON.has(stem) && stem.length >= lower.length / 2)) {
    throw validationError(`${field} is too common; choose a less predictable one`, field);
  }
  const local = email.split('@')[0] ?? '';
  if (local.length >= 3 && lower.includes(local.toLowerCase())) {
    throw validationError(`${field} must not contain your email address`, field);
  }
}
