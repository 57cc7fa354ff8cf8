declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Every 5 minutes: finishes interrupted account deletions and drops expired export files. */
    'users.sweep': Record<string, never>;
  }
}

export const USERS_JOBS = ['users.sweep'] as const;
