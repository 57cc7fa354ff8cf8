import type { Platform } from '../../platform/platform.ts';
import { dayStart, upkeepPartitions } from './partitions.ts';
import { rebuildRollups, sweepEventIds } from './repo.ts';
import type { AnalyticsDb } from './tables.ts';

declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Hourly and at worker start: day partitions ahead, expired ones dropped (ANALYTICS_RETENTION_DAYS). */
    'analytics.partitions': Record<string, never>;
    /** Every 5 minutes: rebuilds the daily rollups of the days that can still receive events. */
    'analytics.rollup': Record<string, never>;
    /** Hourly: forgets de-duplication ids older than ANALYTICS_DEDUPE_HOURS. */
    'analytics.dedupe-sweep': Record<string, never>;
  }
}

export const ANALYTICS_JOBS = ['analytics.partitions', 'analytics.rollup', 'analytics.dedupe-sweep'] as const;

const DAY_MS = 86_400_000;

export function upkeep(platform: Platform, now?: Date) {
  const { retentionDays, partitionDaysAhead } = platform.config.analytics;
  return upkeepPartitions(platform.database.db, {
    retentionDays,
    daysAhead: partitionDaysAhead,
    ...(now ? { now } : {}),
  });
}

/**
 * Rebuilds the rollups of today and of every earlier day a late event may
 * still land on (client timestamps up to ANALYTICS_MAX_AGE_HOURS old), or of
 * the days given.
 */
export function refreshRollups(platform: Platform, days?: { from: Date; to: Date }) {
  const today = dayStart(Date.now());
  const back = Math.ceil(platform.config.analytics.maxAgeHours / 24);
  const from = days?.from ?? new Date(today.getTime() - back * DAY_MS);
  const to = days?.to ?? new Date(today.getTime() + DAY_MS);
  return rebuildRollups(platform.database.db as AnalyticsDb, from, to);
}

export function sweepDedupe(platform: Platform, now = Date.now()) {
  const cutoff = new Date(now - platform.config.analytics.dedupeHours * 3_600_000);
  return sweepEventIds(platform.database.db as AnalyticsDb, cutoff);
}

/** Defines the jobs and their schedules (worker). */
export async function defineJobs(platform: Platform): Promise<void> {
  platform.jobs.define('analytics.partitions', async () => {
    await upkeep(platform);
  });
  platform.jobs.recurring({ name: 'analytics.partitions', cron: '3 * * * *', payload: {} });
  platform.jobs.define('analytics.rollup', async () => {
    await refreshRollups(platform);
  });
  platform.jobs.recurring({ name: 'analytics.rollup', cron: '*/5 * * * *', payload: {} });
  platform.jobs.define('analytics.dedupe-sweep', async () => {
    await sweepDedupe(platform);
  });
  platform.jobs.recurring({ name: 'analytics.dedupe-sweep', cron: '41 * * * *', payload: {} });
  // Today's partition before the first insert; a failure (a lock timeout) is
  // left to the hourly job, and meanwhile rows land in the default partition.
  await upkeep(platform).catch(() => {});
}
