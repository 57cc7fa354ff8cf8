declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Hourly: purges couples whose read-only period after an unlink ended. */
    'couples.purge': Record<string, never>;
  }
}

export const COUPLES_JOBS = ['couples.purge'] as const;
