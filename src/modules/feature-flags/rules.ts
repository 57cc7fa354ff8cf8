import { createHash } from 'node:crypto';

/** A flag definition as the provider evaluates it (camelCase view of a row). */
export interface FlagDefinition {
  key: string;
  enabled: boolean;
  defaultValue: boolean;
  rolloutPercentage: number;
  allowUsers: ReadonlySet<string>;
  denyUsers: ReadonlySet<string>;
}

/** Why a flag answered what it did: OpenFeature's standard resolution reasons, plus the rule as variant. */
export interface Resolution {
  value: boolean;
  reason: 'DISABLED' | 'TARGETING_MATCH' | 'SPLIT';
  variant: 'default' | 'allowed' | 'denied' | 'rollout-in' | 'rollout-out';
}

/** Rollout buckets: 10,000 of them, so a percentage is exact to the hundredth. */
const BUCKETS = 10_000;

/**
 * The user's bucket for a flag, 0..9999: the first 32 bits of
 * SHA-256(`<flag key>:<user id>`). Stable (the same user always lands in the
 * same bucket of a flag), independent between flags (the key is hashed in, so
 * the 10% of one flag are not the 10% of every flag), and a user is in a
 * rollout when their bucket is below percentage × 100, so raising the
 * percentage only ever adds users.
 */
export function bucketOf(flagKey: string, userId: string): number {
  const digest = createHash('sha256').update(`${flagKey}:${userId}`).digest();
  return digest.readUInt32BE(0) % BUCKETS;
}

export function inRollout(flagKey: string, userId: string, percentage: number): boolean {
  return bucketOf(flagKey, userId) < percentage * (BUCKETS / 100);
}

/**
 * One evaluation, in order: the kill switch (disabled answers the default to
 * everyone), the deny list, the allow list, then the percentage rollout.
 * Without a user (no targeting key) only a rollout of 0 or 100 has an answer;
 * the caller then gets null and falls back.
 */
export function evaluate(flag: FlagDefinition, userId: string | undefined): Resolution | null {
  if (!flag.enabled) return { value: flag.defaultValue, reason: 'DISABLED', variant: 'default' };
  if (userId === undefined) {
    if (flag.rolloutPercentage === 0) return { value: false, reason: 'SPLIT', variant: 'rollout-out' };
    if (flag.rolloutPercentage === 100) return { value: true, reason: 'SPLIT', variant: 'rollout-in' };
    return null;
  }
  if (flag.denyUsers.has(userId)) return { value: false, reason: 'TARGETING_MATCH', variant: 'denied' };
  if (flag.allowUsers.has(userId)) return { value: true, reason: 'TARGETING_MATCH', variant: 'allowed' };
  return inRollout(flag.key, userId, flag.rolloutPercentage)
    ? { value: true, reason: 'SPLIT', variant: 'rollout-in' }
    : { value: false, reason: 'SPLIT', variant: 'rollout-out' };
}
