import type { RetryPolicy } from './types.ts';

/**
 * Exponential backoff with full jitter (a random delay between 0 and the
 * exponential cap): retries of many events that failed together spread out
 * instead of hammering a recovering dependency in waves. Never below 10% of
 * the base so a retry is never immediate.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const floor = policy.baseDelayMs / 10;
  return Math.round(floor + random() * Math.max(0, cap - floor));
}
