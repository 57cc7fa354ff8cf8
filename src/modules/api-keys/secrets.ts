import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_PREFIX } from '../../platform/http/auth-context.ts';

/**
 * The key format: `o2o_live_<lookup>_<secret>`, where `lookup` is 12 hex
 * characters (48 random bits, stored in clear as `prefix` so a key is found
 * with one indexed read) and `secret` 32 random bytes in base64url (256 bits).
 *
 * Stored: SHA-256 of the whole key. A slow password hash (argon2) protects
 * low-entropy secrets people choose; against 256 random bits, brute force is
 * hopeless whatever the hash, and argon2 would only cost every request
 * milliseconds of CPU. No server-side pepper (HMAC) either: it would add a
 * secret to manage without making a 2^256 search any harder.
 */
const LIVE = `${API_KEY_PREFIX}live_`;
const SHAPE = /^o2o_live_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewKey {
  /** The whole key: shown once, never stored. */
  secret: string;
  prefix: string;
  hash: Buffer;
}

export const hashKey = (key: string): Buffer => createHash('sha256').update(key).digest();

export function generateKey(): NewKey {
  const prefix = `${LIVE}${randomBytes(6).toString('hex')}`;
  const secret = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { secret, prefix, hash: hashKey(secret) };
}

/** The lookup prefix of a well-formed key, else undefined (a malformed key is never looked up). */
export function prefixOf(key: string): string | undefined {
  const match = SHAPE.exec(key);
  return match ? `${LIVE}${match[1]}` : undefined;
}

/** Constant-time comparison of the presented key against the stored hash. */
export const keyMatches = (key: string, stored: Buffer): boolean => {
  const presented = hashKey(key);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
};
