declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** One attempt of one delivery (rescheduled by itself on a transient failure). */
    'notifications.deliver': { userId: string; deliveryId: string };
    /** Hourly digest of low-priority items. */
    'notifications.digest': Record<string, never>;
  }
}

export const NOTIFICATIONS_JOBS = ['notifications.deliver', 'notifications.digest'] as const;
