declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Hourly: drops auth's spent or expired one-time tokens, MFA challenges, OAuth flows and refresh tokens. */
    'auth.prune': Record<string, never>;
  }
}

export const AUTH_JOBS = ['auth.prune'] as const;
