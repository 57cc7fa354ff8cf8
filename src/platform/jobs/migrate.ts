import { runMigrations } from 'graphile-worker';
import { graphileLogger } from './logger.ts';

/**
 * Installs or upgrades graphile-worker's own schema. It is versioned by the
 * library, not by our migration list, so it runs beside `migrateToLatest`
 * wherever that runs (the `migrate` step, test templates) and before any
 * process can call `schedule()`.
 */
export async function migrateJobs(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: graphileLogger(undefined) });
}
