import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { autovacuumIsOff, QUEUE_AUTOVACUUM, QUEUE_TABLES } from '../../src/platform/db/queue-tables.ts';
import { useTestDatabase } from '../support/database.ts';

const testDb = useTestDatabase();

// outbox_events, bus_deliveries, bus_processed, platform_recurring_runs, notifications_deliveries and
// graphile-worker's _private_jobs, _private_job_queues and _private_known_crontabs.
it('every queue table vacuums after a fixed number of dead rows, without cost-based pauses', async () => {
  assert.ok(QUEUE_TABLES.length >= 8);
  const { rows } = await sql<{ name: string; reloptions: string[] | null }>`
    select n.nspname || '.' || c.relname as name, c.reloptions
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname || '.' || c.relname = any(${[...QUEUE_TABLES]}::text[])`.execute(testDb.database.db);
  assert.deepEqual(rows.map((r) => r.name).sort(), [...QUEUE_TABLES].sort(), 'every listed table exists');
  const expected = Object.entries(QUEUE_AUTOVACUUM)
    .map(([name, value]) => `${name}=${value}`)
    .sort();
  for (const row of rows) {
    const set = (row.reloptions ?? []).filter((o) => o.startsWith('autovacuum_')).sort();
    assert.deepEqual(set, expected, row.name);
  }
  // The zero scale factor is what bounds dead rows whatever the table's size.
  assert.ok(expected.includes('autovacuum_vacuum_scale_factor=0'));
  assert.ok(expected.includes('autovacuum_vacuum_cost_delay=0'));
});

it("tells whether the server's autovacuum is off (then the settings above do nothing)", async () => {
  const { rows } = await sql<{ autovacuum: string }>`show autovacuum`.execute(testDb.database.db);
  assert.equal(await autovacuumIsOff(testDb.database.db), rows[0]!.autovacuum === 'off');
});
