import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AckPolicy, connect, type NatsConnection, nanos } from 'nats';
import type { EventEnvelope } from '../../src/platform/bus/events.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { deleteStream, testStreamName, waitFor } from '../support/bus.ts';
import { needs, serverUrl } from '../support/servers.ts';

/**
 * What JetStream alone would lose: a message redelivered past the consumer's
 * max_deliver is dropped by the server without a trace. The bus sets no
 * max_deliver; an event whose attempts are used up without an outcome (its
 * worker kept dying) goes to the dead letters, and a database outage costs no
 * attempts at all.
 */
describe('NATS transport: nothing is dropped after repeated deliveries', needs('NATS_URL'), () => {
  const natsUrl = serverUrl('NATS_URL')!;
  const stream = testStreamName();
  const GROUP = 'exhausted';
  const MAX_ATTEMPTS = 2;
  let t: TestApp;
  let nc: NatsConnection;
  let stopWorker: (() => Promise<void>) | undefined;
  const runs = new Map<string, number>();

  const deadLetters = async (eventId: string) =>
    t.platform.database.db
      .selectFrom('bus_dead_letters')
      .select(['attempts', 'last_error'])
      .where('group_name', '=', GROUP)
      .where('event_id', '=', eventId)
      .execute();

  before(async () => {
    t = await createTestApp({ NATS_URL: natsUrl, NATS_STREAM: stream, BUS_ACK_WAIT_MS: '500' });
    nc = await connect({ servers: natsUrl });
    t.platform.bus.consume(
      GROUP,
      ['platform.test'],
      async (event) => {
        runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
      },
      { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 30, maxDelayMs: 60 },
    );
    // The stream and the group's consumer as an older version of the bus left them:
    // the server would stop after attempts + 3 deliveries and drop the message.
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await jsm.consumers.add(stream, {
      durable_name: GROUP,
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${stream}.>`,
      ack_wait: nanos(500),
      backoff: [nanos(50), nanos(100), nanos(200)],
      max_deliver: MAX_ATTEMPTS + 3,
    });
  });

  after(async () => {
    await stopWorker?.();
    await nc?.close();
    await t?.close();
    await deleteStream(natsUrl, stream);
  });

  it('dead-letters an event delivered more often than its attempts allow, without running it again', async () => {
    const event: EventEnvelope<'platform.test'> = {
      id: newId(),
      type: 'platform.test',
      version: 1,
      occurredAt: new Date().toISOString(),
      actorId: null,
      coupleId: null,
      data: { value: 1 },
    };
    const js = nc.jetstream();
    await js.publish(`${stream}.platform.test`, JSON.stringify(event), { msgID: event.id });
    // Stand in for workers that died while handling it: take it and hand it back, more
    // times than its attempts allow.
    const consumer = await js.consumers.get(stream, GROUP);
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      const msg = await consumer.next({ expires: 5000 });
      assert.ok(msg, `delivery ${i + 1}`);
      msg.nak();
    }

    stopWorker = await startWorker(t.platform);
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.info(stream, GROUP);
    assert.equal(info.config.max_deliver, -1, 'the server must never drop a message on its own');
    const [dead] = await waitFor('the dead letter', async () => {
      const rows = await deadLetters(event.id);
      return rows.length > 0 ? rows : undefined;
    });
    assert.equal(dead!.attempts, MAX_ATTEMPTS + 3);
    assert.match(dead!.last_error, /without finishing/);
    assert.equal(runs.get(event.id), undefined, 'a poison event is not run again');
  });

  it('keeps a batch through a database outage without spending its attempts', async () => {
    const { db } = t.platform.database;
    // The bus's own table goes missing: every batch transaction fails, not the handler.
    await sql`alter table bus_processed rename to bus_processed_away`.execute(db);
    let restored = false;
    try {
      const eventId = await db.transaction().execute(async (trx) => {
        await publish(trx, 'platform.test', { value: 2 });
        const row = await sql<{ id: string }>`
          select id from outbox_events order by position desc limit 1`.execute(trx);
        return row.rows[0]!.id;
      });
      // Longer than MAX_ATTEMPTS naks would have lasted (a nak per second before).
      await new Promise((resolve) => setTimeout(resolve, 4000));
      assert.equal(runs.get(eventId), undefined);
      await sql`alter table bus_processed_away rename to bus_processed`.execute(db);
      restored = true;
      await waitFor('the event after the outage', async () => runs.get(eventId) === 1);
      assert.deepEqual(await deadLetters(eventId), []);
    } finally {
      if (!restored) await sql`alter table bus_processed_away rename to bus_processed`.execute(db);
    }
  });
});
