import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testStreamName } from '../support/bus.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { makeCouple, type Pair } from '../support/love-notes.ts';
import { as, eventually } from '../support/test-auth.ts';
import { type Running, startApi } from './harness.ts';
import { needsBinary, type OwnServer, startNats } from './servers.ts';

const BEFORE = 5;
const DURING = 20;

/**
 * NATS JetStream killed (SIGKILL) while love notes keep being sent, then
 * started again on the same store. The outbox in PostgreSQL is the buffer: a
 * send never depends on NATS being up, and the relay drains it afterwards.
 */
describe('fault: NATS stopped', needsBinary('nats'), () => {
  let nats: OwnServer;
  let testDb: TestDatabase;
  let api: Running;
  let pair: Pair;

  before(async () => {
    nats = await startNats();
    testDb = await createTestDatabase();
    api = await startApi(testDb.url, {
      NATS_URL: nats.url,
      NATS_STREAM: testStreamName(),
      REDIS_URL: '',
      BUS_ACK_WAIT_MS: '2000',
    });
    pair = await makeCouple(api.asTestApp);
  });
  after(async () => {
    await api?.close();
    await testDb?.drop();
    await nats?.destroy();
  });

  const db = () => api.platform.database.db;
  const send = async (body: string) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: { ...as(pair.a), 'idempotency-key': randomUUID() },
      payload: { body },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data.id as string;
  };
  const inboxItems = async () =>
    (
      await sql<{ note: string; n: number }>`
        select data->>'noteId' as note, count(*)::int as n from notifications_items
        where user_id = ${pair.b} and kind = 'love-note.received' group by 1`.execute(db())
    ).rows;
  const unrelayed = async () =>
    (
      await sql<{ n: number }>`select count(*)::int as n from outbox_events where relayed_at is null`.execute(
        db(),
      )
    ).rows[0]!.n;

  it('accepts every send while NATS is down, then drains the outbox and delivers each event once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < BEFORE; i++) ids.push(await send(`before ${i}`));
    await eventually(async () => ((await inboxItems()).length === BEFORE ? true : undefined), 30_000);
    assert.equal((await api.app.inject({ url: '/ready' })).statusCode, 200);

    await nats.kill();
    // Every send is still accepted: the note and its events commit to PostgreSQL.
    for (let i = 0; i < DURING; i++) ids.push(await send(`during ${i}`));
    const notReady = await api.app.inject({ url: '/ready' });
    assert.equal(notReady.statusCode, 503, 'readiness names the broken dependency');
    assert.match(notReady.json().errors[0].message, /nats/i);
    // Buffered in the outbox: none of the new events could be relayed.
    assert.ok((await unrelayed()) >= DURING, "each note's love-note.delivered waits in the outbox");
    assert.equal((await inboxItems()).length, BEFORE, 'nothing was delivered without NATS');

    await nats.start();
    await eventually(async () => ((await unrelayed()) === 0 ? true : undefined), 60_000);
    await eventually(async () => ((await inboxItems()).length === ids.length ? true : undefined), 60_000);
    await eventually(
      async () => ((await api.app.inject({ url: '/ready' })).statusCode === 200 ? true : undefined),
      30_000,
    );

    // Nothing accepted lost, nothing delivered twice.
    const items = await inboxItems();
    assert.deepEqual(items.map((r) => r.note).sort(), [...ids].sort());
    assert.ok(
      items.every((r) => r.n === 1),
      'one inbox item per note',
    );
    const { rows } = await sql<{ events: number; processed: number }>`
      select count(*)::int as events,
             count(p.event_id)::int as processed
      from outbox_events e
      left join bus_processed p on p.event_id = e.id and p.group_name = 'notifications'
      where e.type = 'love-note.delivered'`.execute(db());
    assert.equal(rows[0]!.events, ids.length);
    assert.equal(rows[0]!.processed, ids.length, 'every delivered event processed by notifications once');
    const dead = await sql<{ n: number }>`select count(*)::int as n from bus_dead_letters`.execute(db());
    assert.equal(dead.rows[0]!.n, 0);
  });
});
