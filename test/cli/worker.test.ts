import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { publish } from '../../src/platform/bus/publish.ts';
import { waitFor } from '../support/bus.ts';
import { useTestDatabase } from '../support/database.ts';
import { freePort, runCli, waitForOk } from '../support/process.ts';

const testDb = useTestDatabase();

it('`worker` relays the outbox, serves its metrics and stops cleanly on SIGTERM', async () => {
  const event = await publish(testDb.database.db, 'platform.test', { value: 1 });
  const port = await freePort();
  const worker = runCli('worker', {
    DATABASE_URL: testDb.url,
    WORKER_METRICS_PORT: String(port),
    HOST: '127.0.0.1',
    ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  });
  try {
    await waitForOk(`http://127.0.0.1:${port}/metrics`, worker);
    await waitFor('the relay', async () => {
      const { rows } = await sql<{ relayed: boolean }>`
        select relayed_at is not null as relayed from outbox_events where id = ${event.id}`.execute(
        testDb.database.db,
      );
      return rows[0]?.relayed;
    });
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(body, /bus_outbox_relayed_total 1/);
    assert.match(body, /jobs_queue_depth\{state="due"\} 0/);
    const cron = await waitFor('the prune job to be registered', async () => {
      const { rows } = await sql<{ identifier: string }>`
        select identifier from graphile_worker._private_known_crontabs order by identifier`.execute(
        testDb.database.db,
      );
      return rows.length > 0 && rows.map((row) => row.identifier);
    });
    // Every module's cron work (payments' reconciliation runs only with Stripe configured).
    assert.deepEqual(cron, [
      'analytics.dedupe-sweep@41 * * * *',
      'analytics.partitions@3 * * * *',
      'analytics.rollup@*/5 * * * *',
      'auth.prune@41 * * * *',
      'content.publish-due@* * * * *',
      'love-note.partitions@7 0 * * *',
      'notifications.digest@0 * * * *',
      'platform.bus-prune@17 * * * *',
      'platform.idempotency-prune@23 * * * *',
    ]);
    assert.match(worker.output(), /event bus started/);
  } finally {
    worker.child.kill('SIGTERM');
  }
  assert.equal(await worker.exited, 0);
});
