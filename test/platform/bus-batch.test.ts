import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { outboxEvent, publishAll } from '../../src/platform/bus/publish.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { waitFor } from '../support/bus.ts';

// A group with a batch handler (PostgreSQL transport): the batch's writes commit once; when the
// batch throws, its writes are undone and each event runs alone, so only the failing one is retried.
let t: TestApp;
let stopWorker: () => Promise<void>;
const batches: number[] = [];
const singles = new Map<number, number>();
const POISON = 13;

before(async () => {
  t = await createTestApp({ NATS_URL: '' });
  const { db } = t.platform.database;
  await sql`create table batch_effects (event_id uuid primary key, value int not null)`.execute(db);
  t.platform.bus.consume(
    'batch-test',
    ['platform.test'],
    async (event, trx) => {
      singles.set(event.data.value, (singles.get(event.data.value) ?? 0) + 1);
      await trx.insertInto('batch_effects').values({ event_id: event.id, value: event.data.value }).execute();
      // The poison value fails its first single attempt only.
      if (event.data.value === POISON && singles.get(POISON) === 1) throw new Error('poison');
    },
    { maxAttempts: 3, baseDelayMs: 30, maxDelayMs: 60 },
    {
      batch: async (events, trx) => {
        batches.push(events.length);
        await trx
          .insertInto('batch_effects')
          .values(events.map((e) => ({ event_id: e.id, value: e.data.value })))
          .execute();
        if (events.some((e) => e.data.value === POISON)) throw new Error('poison in the batch');
      },
    },
  );
  stopWorker = await startWorker(t.platform);
});

after(async () => {
  await stopWorker?.();
  await t?.close();
});

const effects = async () =>
  (
    await sql<{ value: number; n: number }>`
      select value, count(*)::int as n from batch_effects group by value order by value`.execute(
      t.platform.database.db,
    )
  ).rows;

it('writes a whole batch in one call, once', async () => {
  await publishAll(
    t.platform.database.db,
    [1, 2, 3, 4, 5].map((value) => outboxEvent('platform.test', { value })),
  );
  await waitFor('five effects', async () => (await effects()).length === 5);
  assert.deepEqual(
    (await effects()).map((r) => [r.value, r.n]),
    [1, 2, 3, 4, 5].map((v) => [v, 1]),
  );
  assert.ok(
    batches.some((n) => n > 1),
    `batches: ${batches.join(',')}`,
  );
  assert.equal(singles.size, 0, 'no event ran alone');
});

it('after a failed batch runs each event alone: the others commit once, the failing one is retried', async () => {
  await publishAll(
    t.platform.database.db,
    [20, POISON, 21].map((value) => outboxEvent('platform.test', { value })),
  );
  await waitFor('the retried poison', async () => (await effects()).some((r) => r.value === POISON));
  const rows = await effects();
  for (const value of [20, POISON, 21])
    assert.equal(rows.find((r) => r.value === value)?.n, 1, `value ${value}`);
  assert.equal(singles.get(POISON), 2, 'the poison ran alone, failed, and was retried');
  const { rows: dead } = await sql<{ n: number }>`select count(*)::int as n from bus_dead_letters`.execute(
    t.platform.database.db,
  );
  assert.equal(dead[0]!.n, 0);
});
