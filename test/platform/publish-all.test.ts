import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { outboxEvent, publish, publishAll } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { useTestDatabase } from '../support/database.ts';

const testDb = useTestDatabase();

// publishAll's one statement passes every column as an array (unnest): text that needs quoting
// inside a PostgreSQL array literal must come back exactly as `publish` stores it.
const AWKWARD = [
  'plain',
  'quote " and backslash \\ and \\" both',
  '{braces}, commas, NULL',
  'unicode: ❤️ Zoë 日本語',
  'newline\nand\ttab',
];

it('stores every column as publish does, whatever the text inside the data', async () => {
  const { db } = testDb.database;
  const couple = newId();
  const events = AWKWARD.map((text, i) =>
    outboxEvent('platform.test', { value: i, text, nested: { list: [text, null, 1.5] } } as never, {
      actorId: i % 2 === 0 ? newId() : null,
      coupleId: i % 2 === 0 ? couple : null,
      version: 1 + (i % 2),
    }),
  );
  await publishAll(db, events);
  const single = await publish(db, 'platform.test', { value: 99, text: AWKWARD[1] } as never);
  const { rows } = await sql<{
    id: string;
    type: string;
    version: number;
    actor_id: string | null;
    couple_id: string | null;
    data: unknown;
    occurred_at: Date;
  }>`select id, type, version, actor_id, couple_id, data, occurred_at from outbox_events
     where id = any(${[...events.map((e) => e.event.id), single.id]}::uuid[])`.execute(db);
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const { event } of events) {
    const row = byId.get(event.id);
    assert.ok(row, `event ${event.id} written`);
    assert.equal(row.type, event.type);
    assert.equal(row.version, event.version);
    assert.equal(row.actor_id, event.actorId);
    assert.equal(row.couple_id, event.coupleId);
    assert.deepEqual(row.data, event.data);
    assert.equal(row.occurred_at.toISOString(), event.occurredAt);
  }
  assert.deepEqual(byId.get(single.id)?.data, { value: 99, text: AWKWARD[1] });
});

it('writes nothing for no events', async () => {
  const { db } = testDb.database;
  const before = await sql<{ n: number }>`select count(*)::int as n from outbox_events`.execute(db);
  await publishAll(db, []);
  const after = await sql<{ n: number }>`select count(*)::int as n from outbox_events`.execute(db);
  assert.equal(after.rows[0]?.n, before.rows[0]?.n);
});
