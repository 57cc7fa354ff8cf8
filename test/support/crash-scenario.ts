import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/platform/db/database.ts';
import { deleteStream, testStreamName, waitFor } from './bus.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

const EVENTS = 10_000;

function startWorkerProcess(url: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/fixtures/crash-worker.ts', url], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal})`)));
  });
}

function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/**
 * Two real worker processes share one group; one is killed with SIGKILL in
 * the middle of the run and started again. Every event's effect must be
 * there exactly once and no handler may ever run for an already-processed event.
 */
export function crashScenario(transport: 'postgres' | 'nats', natsUrl: string | undefined) {
  describe(`crash test (${transport}): two workers, ${EVENTS} events, one SIGKILLed`, () => {
    let testDb: TestDatabase;
    let database: Database;
    const stream = testStreamName();
    const env = {
      NATS_URL: natsUrl ?? '',
      NATS_STREAM: stream,
      BUS_ACK_WAIT_MS: '1500',
      BUS_CONCURRENCY: '2',
    };
    const workers: ChildProcess[] = [];

    before(async () => {
      testDb = await createTestDatabase();
      database = createDatabase({ url: testDb.url, poolMax: 4 });
      await sql`create table crash_effects (event_id uuid primary key, value int not null, pid int not null)`.execute(
        database.db,
      );
      await sql`create table crash_duplicates (event_id uuid not null)`.execute(database.db);
    });

    after(async () => {
      for (const child of workers) child.kill('SIGKILL');
      await database?.close();
      await testDb?.drop();
      await deleteStream(natsUrl, stream);
    });

    it('applies every effect exactly once', async () => {
      const count = async () =>
        (await sql<{ n: number }>`select count(*)::int as n from crash_effects`.execute(database.db)).rows[0]!
          .n;
      // Every event is committed first, so the kill is sure to land with work in
      // hand however slow the machine is. One statement writes the rows publish()
      // would write (publish itself is covered by the contract suite); 10,000
      // single-row round trips would only make this test slow on a busy machine.
      await sql`
        insert into outbox_events (id, type, data)
        select gen_random_uuid(), 'platform.test', jsonb_build_object('value', n)
        from generate_series(0, ${EVENTS - 1}::int) as n`.execute(database.db);
      const [first, second] = await Promise.all([
        startWorkerProcess(testDb.url, env),
        startWorkerProcess(testDb.url, env),
      ]);
      workers.push(first!, second!);
      await waitFor('a third of the effects', async () => (await count()) >= EVENTS / 3, 60_000);
      first!.kill('SIGKILL');
      assert.equal(await exited(first!), 'SIGKILL');
      const before = await count();
      assert.ok(before < EVENTS, 'the kill came too late to prove anything');
      const restarted = await startWorkerProcess(testDb.url, env);
      workers.push(restarted);
      await waitFor('every effect', async () => (await count()) === EVENTS, 90_000);

      const { rows } = await sql<{ n: number; values: number; killed: number }>`
        select count(*)::int as n, count(distinct value)::int as values,
               count(*) filter (where pid = ${first!.pid!})::int as killed
        from crash_effects`.execute(database.db);
      assert.equal(rows[0]!.n, EVENTS);
      assert.equal(rows[0]!.values, EVENTS);
      assert.ok(rows[0]!.killed > 0, 'the killed worker had committed work before it died');
      const duplicates = await sql<{ n: number }>`select count(*)::int as n from crash_duplicates`.execute(
        database.db,
      );
      assert.equal(duplicates.rows[0]!.n, 0);
      const dead = await sql<{ n: number }>`select count(*)::int as n from bus_dead_letters`.execute(
        database.db,
      );
      assert.equal(dead.rows[0]!.n, 0);
      // NATS records each processed event; PostgreSQL's mark is the delivery row's delete (dispatch.ts).
      const processed = await sql<{ n: number }>`
        select count(*)::int as n from bus_processed where group_name = 'crash'`.execute(database.db);
      assert.equal(processed.rows[0]!.n, transport === 'nats' ? EVENTS : 0);
      const queued = await sql<{ n: number }>`select count(*)::int as n from bus_deliveries`.execute(
        database.db,
      );
      assert.equal(queued.rows[0]!.n, 0);

      // Graceful shutdown: SIGTERM lets both finish what they hold and exit cleanly.
      second!.kill('SIGTERM');
      restarted.kill('SIGTERM');
      assert.deepEqual(await Promise.all([exited(second!), exited(restarted)]), [0, 0]);
    });
  });
}
