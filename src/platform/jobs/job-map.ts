/**
 * One typed map of every job. The platform declares its own; each module
 * declares its jobs in its own `jobs.ts` by augmenting this interface
 * (`declare module '../../platform/jobs/job-map.ts' { interface JobMap { ... } }`),
 * so `schedule(trx, { name, payload }, runAt)` type-checks both.
 */
export interface JobMap {
  /** Used by the platform's own tests and benchmarks. */
  'platform.test': { value: number };
  /** Hourly: drops relayed outbox rows and processed ids past their retention. */
  'platform.bus-prune': Record<string, never>;
  /** Hourly: drops Idempotency-Key records past their 24 h lifetime. */
  'platform.idempotency-prune': Record<string, never>;
}

export type JobName = keyof JobMap;
