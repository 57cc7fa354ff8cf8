import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { v4 as uuidv4 } from 'uuid';
import { listPartitions, upkeepPartitions } from '../../src/modules/analytics/partitions.ts';
import { type EventRow, insertEvents, sweepEventIds } from '../../src/modules/analytics/repo.ts';
import { useTestDatabase } from '../support/database.ts';

const testDb = useTestDatabase({ poolMax: 4 });
const db = () => testDb.database.db;
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

const row = (occurredAt: Date, receivedAt = new Date()): EventRow => ({
  id: uuidv4(),
  occurredAt,
  receivedAt,
  event: 'x',
  source: 'client',
  userId: null,
  coupleId: null,
  platform: null,
  appVersion: null,
  country: null,
  properties: '{}',
});

async function partitionOf(id: string): Promise<string | undefined> {
  const { rows } = await sql<{ partition: string }>`
    select tableoid::regclass::text as partition from analytics_events where id = ${id}`.execute(db());
  return rows[0]?.partition;
}

it('creates today and the days ahead, and routes each event to its day', async () => {
  const result = await upkeepPartitions(db(), { retentionDays: 30, daysAhead: 2, now: at('2031-03-30') });
  assert.deepEqual(result.created, [
    'analytics_events_p20310330',
    'analytics_events_p20310331',
    'analytics_events_p20310401',
  ]);
  const e = row(new Date('2031-03-31T23:59:59.999Z'));
  await insertEvents(db(), [e]);
  assert.equal(await partitionOf(e.id), 'analytics_events_p20310331');
  // Idempotent.
  const again = await upkeepPartitions(db(), { retentionDays: 30, daysAhead: 2, now: at('2031-03-30') });
  assert.deepEqual(again.created, []);
  // A BRIN index on time, inherited by every partition.
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_indexes where tablename = 'analytics_events_p20310331' and indexdef ilike '%brin%occurred_at%'`.execute(
    db(),
  );
  assert.equal(rows[0]?.n, 1);
});

it('moves events of a day not created yet out of the default partition when it is created', async () => {
  const early = row(at('2031-04-05'));
  await insertEvents(db(), [early]);
  assert.equal(await partitionOf(early.id), 'analytics_events_default');
  const result = await upkeepPartitions(db(), { retentionDays: 30, daysAhead: 0, now: at('2031-04-06') });
  assert.ok(result.created.includes('analytics_events_p20310405'));
  assert.ok(result.created.includes('analytics_events_p20310406'));
  assert.equal(result.moved, 1);
  assert.equal(await partitionOf(early.id), 'analytics_events_p20310405');
});

it('drops partitions past the retention, and expired rows of the default partition', async () => {
  const stray = row(at('2031-02-01'));
  await insertEvents(db(), [stray]);
  const result = await upkeepPartitions(db(), { retentionDays: 5, daysAhead: 1, now: at('2031-04-06') });
  // Cutoff: 2031-04-01 00:00; the partitions of March 30 and 31 ended before it; April 1 stays.
  assert.deepEqual(result.dropped.sort(), ['analytics_events_p20310330', 'analytics_events_p20310331']);
  assert.equal(result.expired, 1);
  const left = await listPartitions(db());
  assert.ok(left.includes('analytics_events_p20310401'));
  assert.ok(!left.includes('analytics_events_p20310331'));
  assert.equal(await partitionOf(stray.id), undefined);
});

it('remembers de-duplication ids for the configured time only', async () => {
  const old = row(at('2031-04-06'), new Date('2031-04-01T00:00:00Z'));
  const recent = row(at('2031-04-06'), new Date('2031-04-05T00:00:00Z'));
  assert.equal((await insertEvents(db(), [old, recent])).size, 2);
  assert.equal((await insertEvents(db(), [old])).size, 0, 'a retry is not stored twice');
  // `old` and the three earlier tests' ids (received now, in 2026), one slice at a time.
  assert.equal(await sweepEventIds(db() as never, new Date('2031-04-03T00:00:00Z'), 1), 4);
  const { rows } = await sql<{ id: string }>`select id from analytics_event_ids`.execute(db());
  assert.deepEqual(
    rows.map((r) => r.id),
    [recent.id],
  );
});
