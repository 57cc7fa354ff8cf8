import { pruneBus } from './bus/prune.ts';
import { pruneIdempotencyKeys } from './http/idempotency-prune.ts';
import type { Platform } from './platform.ts';

/**
 * The platform half of the `worker` command: the bus relay and consumer
 * groups, then the job runner. Call it after the modules' worker hooks have
 * registered their consumers and jobs. The returned stop takes no new work,
 * lets the batches and jobs in hand finish, and releases the rest.
 */
export async function startWorker(platform: Platform): Promise<() => Promise<void>> {
  platform.jobs.define('platform.bus-prune', async () => {
    await pruneBus(platform.database);
  });
  platform.jobs.recurring({ name: 'platform.bus-prune', cron: '17 * * * *', payload: {} });
  platform.jobs.define('platform.idempotency-prune', async () => {
    await pruneIdempotencyKeys(platform.database);
  });
  platform.jobs.recurring({ name: 'platform.idempotency-prune', cron: '23 * * * *', payload: {} });
  const stopBus = await platform.bus.start();
  const stopJobs = await platform.jobs.start().catch(async (error: unknown) => {
    await stopBus();
    throw error;
  });
  return async () => {
    await Promise.all([stopBus(), stopJobs()]);
  };
}
