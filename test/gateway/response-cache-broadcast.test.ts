import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { createMemoryResponseCacheStore } from '../../src/platform/gateway/response-cache/memory-store.ts';
import { withPgBroadcast } from '../../src/platform/gateway/response-cache/pg-broadcast.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// Without Redis, invalidations reach the other processes by NOTIFY; those of one event-loop turn
// share one NOTIFY, and each caller returns only once its tags are sent.
let testDb: TestDatabase;
let pool: pg.Pool;
let listener: pg.Client;
const received: Array<{ tags: string[] }> = [];
before(async () => {
  testDb = await createTestDatabase();
  pool = new pg.Pool({ connectionString: testDb.url, max: 4 });
  listener = new pg.Client({ connectionString: testDb.url });
  await listener.connect();
  listener.on('notification', (n) => received.push(JSON.parse(n.payload ?? '{}')));
  await listener.query('listen o2o_response_cache');
});
after(async () => {
  await listener?.end();
  await pool?.end();
  await testDb?.drop();
});

it('sends the invalidations of one turn in one NOTIFY, each caller after its tags went out', async () => {
  const store = withPgBroadcast(createMemoryResponseCacheStore(100), { url: testDb.url, pool }, (error) => {
    throw error;
  });
  try {
    const settled: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((tag) => store.invalidate([tag, 'shared']).then(() => settled.push(tag))),
    );
    assert.deepEqual(settled.sort(), ['a', 'b', 'c']);
    // NOTIFY was sent before the callers returned; it reaches a listener within moments.
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(received.length, 1, JSON.stringify(received));
    assert.deepEqual([...received[0]!.tags].sort(), ['a', 'b', 'c', 'shared']);

    // A later turn is a NOTIFY of its own.
    await store.invalidate(['d']);
    for (let i = 0; i < 200 && received.length === 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      received.map((m) => m.tags),
      [received[0]!.tags, ['d']],
    );
  } finally {
    await store.close();
  }
});
