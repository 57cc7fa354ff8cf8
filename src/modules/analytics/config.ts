import { configSection } from '../../platform/config.ts';

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    analytics: {
      /** Days of raw events kept: older day partitions are dropped (rollups stay). */
      retentionDays: number;
      /** Day partitions created ahead of today. */
      partitionDaysAhead: number;
      /** Group commit: the longest an accepted event waits before its batch is written. */
      flushMs: number;
      /** Group commit: a batch is written as soon as it holds this many rows. */
      flushRows: number;
      /** Group commit: batches written at once (a due batch waits for one to finish). */
      flushConcurrency: number;
      /** Rows waiting or being written above which ingestion answers 503 (back-pressure). */
      maxPendingRows: number;
      /** How long a client event id is remembered for de-duplication. */
      dedupeHours: number;
      /** Client timestamps older than this (or over 5 minutes ahead) are dropped. */
      maxAgeHours: number;
      /** Request header with the coarse country (ISO 3166-1 alpha-2) set by the CDN / proxy. */
      countryHeader: string;
      /** How often the live dashboard stream sends a frame. */
      liveIntervalMs: number;
    };
  }
}

/** `ANALYTICS_*` (README's configuration table, docs/analytics.md). */
export const analyticsConfig = configSection('analytics', (r) => {
  const retentionDays = r.int('ANALYTICS_RETENTION_DAYS', 90, 1, 3650);
  const maxAgeHours = r.int('ANALYTICS_MAX_AGE_HOURS', 72, 1, 24 * 3650);
  if (maxAgeHours > retentionDays * 24) {
    r.problems.push('ANALYTICS_MAX_AGE_HOURS must not exceed ANALYTICS_RETENTION_DAYS × 24');
  }
  return {
    retentionDays,
    partitionDaysAhead: r.int('ANALYTICS_PARTITION_DAYS_AHEAD', 7, 1, 90),
    flushMs: r.int('ANALYTICS_FLUSH_MS', 100, 1, 10_000),
    flushRows: r.int('ANALYTICS_FLUSH_ROWS', 5000, 1, 100_000),
    flushConcurrency: r.int('ANALYTICS_FLUSH_CONCURRENCY', 1, 1, 64),
    maxPendingRows: r.int('ANALYTICS_MAX_PENDING_ROWS', 50_000, 1000, 10_000_000),
    dedupeHours: r.int('ANALYTICS_DEDUPE_HOURS', 48, 1, 24 * 365),
    maxAgeHours,
    countryHeader: r.string('ANALYTICS_COUNTRY_HEADER', 'cf-ipcountry').toLowerCase(),
    liveIntervalMs: r.int('ANALYTICS_LIVE_INTERVAL_MS', 1000, 50, 60_000),
  };
});
