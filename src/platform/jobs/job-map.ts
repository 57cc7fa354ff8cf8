/**
 * One typed map of every job: modules add their jobs here, and
 * `schedule(trx, { name: 'love-note.deliver', payload }, runAt)` type-checks both.
 */
export interface JobMap {
  /** Used by the platform's own tests and benchmarks. */
  'platform.test': { value: number };
  /** Hourly: drops relayed outbox rows and processed ids past their retention. */
  'platform.bus-prune': Record<string, never>;
  /** Hourly: drops Idempotency-Key records past their 24 h lifetime. */
  'platform.idempotency-prune': Record<string, never>;
  /** Hourly: drops auth's spent or expired one-time tokens, MFA challenges, OAuth flows and refresh tokens. */
  'auth.prune': Record<string, never>;
  /** Notifications: one attempt of one delivery (rescheduled by itself on a transient failure). */
  'notifications.deliver': { userId: string; deliveryId: string };
  /** Notifications: hourly digest of low-priority items. */
  'notifications.digest': Record<string, never>;
  /** Delivers one scheduled love note (or the next occurrence of a series) at its time. */
  'love-note.deliver': { coupleId: string; noteId: string };
  /** Daily and at worker start: creates the note partitions of this month and the next ones. */
  'love-note.partitions': Record<string, never>;
}

export type JobName = keyof JobMap;
