import { sql } from 'kysely';
import pino from 'pino';
import { parseConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { startWorker } from '../src/platform/worker.ts';

// One worker process of the bus benchmark: a consumer group whose handler
// writes one row per event, and the job the lag scenario schedules.
const [url] = process.argv.slice(2);
const config = parseConfig({ ...process.env, LOG_LEVEL: 'warn', DATA_DIR: '/tmp' });
const platform = await createPlatform(config, url!, pino({ level: 'warn' }));
platform.bus.consume('bench', ['platform.test'], async (event, trx) => {
  await sql`insert into bench_effects (event_id, occurred_at) values (${event.id}, ${event.occurredAt})`.execute(
    trx,
  );
});
platform.jobs.define('platform.test', async (_payload, context) => {
  await sql`insert into bench_job_runs (job_id, run_at) values (${context.jobId}, ${context.runAt})`.execute(
    platform.database.db,
  );
});
const stop = await startWorker(platform);
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await stop();
  await platform.close();
  process.exit(0);
});
