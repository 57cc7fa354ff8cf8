declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Recurring (STRIPE_RECONCILE_CRON): replays Stripe events whose webhook delivery failed. */
    'payments.reconcile': Record<string, never>;
  }
}

export const PAYMENTS_JOBS = ['payments.reconcile'] as const;
