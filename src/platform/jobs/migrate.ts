import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import { QUEUE_AUTOVACUUM } from '../db/queue-tables.ts';
import { graphileLogger } from './logger.ts';

/** graphile-worker's queue tables, which vacuum like ours (db/queue-tables.ts). */
const JOB_TABLES = ['_private_jobs', '_private_job_queues', '_private_known_crontabs'];

/**
 * Installs or upgrades graphile-worker's own schema. It is versioned by the
 * library, not by our migration list, so it runs beside `migrateToLatest`
 * wherever that runs (the `migrate` step, test templates) and before any
 * process can call `schedule()`. Then sets its queue tables' autovacuum
 * settings (idempotent, so a library upgrade that recreates a table gets them back).
 */
export async function migrateJobs(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: graphileLogger(undefined) });
  const client = new pg.Client({ connectionString, application_name: 'migrate' });
  await client.connect();
  try {
    const options = Object.entries(QUEUE_AUTOVACUUM)
      .map(([name, value]) => `${name} = ${value}`)
      .join(', ');
    for (const table of JOB_TABLES)
      await client.query(`alter table graphile_worker.${table} set (${options})`);
  } finally {
    await client.end();
  }
}
