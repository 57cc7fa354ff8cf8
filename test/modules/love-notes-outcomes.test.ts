import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { MODULES } from '../../src/modules/index.ts';
import { recordOutcome } from '../../src/modules/love-notes/channel-outcomes.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, testAuth } from '../support/test-auth.ts';

type Step = { step: string; channel?: string; status?: string; reason?: string | null };

/**
 * A note's per-channel outcome, end to end: love-notes publishes
 * love-note.delivered → notifications (worker) plans and sends the push →
 * notification.deliveries-updated → love-notes files it under the note.
 */
describe('love-note deliveries: per-channel outcomes from notifications', () => {
  let t: TestApp;
  let stop: () => Promise<void>;
  before(async () => {
    t = await createTestApp({ NATS_URL: '', JOBS_POLL_INTERVAL_MS: '100' }, { routes: testAuth });
    const stops: Array<() => Promise<void>> = [];
    for (const name of ['notifications', 'love-notes']) {
      stops.push(await MODULES.find((m) => m.name === name)!.worker!(t.platform));
    }
    const stopWorker = await startWorker(t.platform);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    stop = async () => {
      await stopWorker();
      for (const s of stops) await s();
    };
  });
  after(async () => {
    await stop();
    await t.close();
  });

  const steps = async (userId: string, noteId: string) => {
    const res = await t.app.inject({ url: `/v1/love-notes/${noteId}/deliveries`, headers: as(userId) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data as Step[];
  };
  const channel = (all: Step[], name: string) => all.find((s) => s.step === 'channel' && s.channel === name);

  it('shows the push that told the recipient, to both partners (reasons to the recipient only)', async () => {
    const { a, b } = await makeCouple(t, { names: ['Alex', 'Sam'] });
    const device = await t.app.inject({
      method: 'POST',
      url: '/v1/notifications/devices',
      headers: as(b),
      payload: { platform: 'android', token: `token-${b}` },
    });
    assert.ok(device.statusCode < 300, device.body);
    const note = (
      await t.app.inject({ method: 'POST', url: '/v1/love-notes', headers: as(a), payload: { body: 'ping' } })
    ).json().data;

    const seen = await eventually(async () => {
      const all = await steps(a, note.id);
      return channel(all, 'mobile_push')?.status === 'sent' ? all : undefined;
    }, 20_000);
    assert.deepEqual(
      seen.filter((s) => s.step !== 'channel').map((s) => s.step),
      ['sent', 'delivered'],
    );
    assert.equal(channel(seen, 'in_app')?.status, 'delivered');
    assert.ok(
      seen.every((s) => !('reason' in s)),
      'the sender sees outcomes, not the reasons',
    );
    const recipientView = await steps(b, note.id);
    assert.equal(channel(recipientView, 'mobile_push')?.status, 'sent');
    assert.ok(recipientView.filter((s) => s.step === 'channel').every((s) => 'reason' in s));

    // On the bus the notification is two events at intake (the inbox item with its due delivery,
    // and every planned channel in one) and one per attempt that settled, not one per channel.
    const { rows: events } = await sql<{ type: string; data: Record<string, unknown> }>`
      select type, data from outbox_events
      where type like 'notification.%' and data->>'notificationId' = (
        select data->>'notificationId' from outbox_events
        where type = 'notification.created' and data->'data'->>'noteId' = ${note.id})
      order by position`.execute(t.platform.database.db);
    assert.deepEqual(
      events.map((e) => e.type),
      ['notification.created', 'notification.deliveries-updated', 'notification.deliveries-updated'],
    );
    type Planned = { deliveryId: string; channel: string; status: string };
    const planned = events[1]!.data.deliveries as Planned[];
    const pending = planned.filter((d) => d.status === 'pending');
    assert.deepEqual(
      pending.map((d) => d.channel),
      ['mobile_push'],
    );
    assert.deepEqual(
      events[0]!.data.dueDeliveryIds,
      pending.map((d) => d.deliveryId),
    );
    assert.equal(planned.find((d) => d.channel === 'in_app')?.status, 'delivered');
    assert.deepEqual(
      (events[2]!.data.deliveries as Planned[]).map((d) => [d.deliveryId, d.channel, d.status]),
      [[pending[0]!.deliveryId, 'mobile_push', 'sent']],
    );
  });

  it('still files the one-delivery notification.delivery-updated of events written before the change', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const note = (
      await t.app.inject({ method: 'POST', url: '/v1/love-notes', headers: as(a), payload: { body: 'old' } })
    ).json().data;
    await t.platform.database.db.transaction().execute((trx) =>
      publish(trx, 'notification.delivery-updated', {
        notificationId: newId(),
        deliveryId: newId(),
        userId: b,
        kind: 'love-note.received',
        channel: 'sms',
        // The highest rank, so the note's own outcome for sms (suppressed: off by default) cannot overtake it.
        status: 'delivered',
        reason: null,
        at: new Date().toISOString(),
        data: { noteId: note.id, coupleId },
      }),
    );
    await eventually(async () =>
      channel(await steps(b, note.id), 'sms')?.status === 'delivered' ? true : undefined,
    );
  });

  it('keeps the latest status whatever order the events arrive in, and drops outcomes of unknown notes', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const note = (
      await t.app.inject({ method: 'POST', url: '/v1/love-notes', headers: as(a), payload: { body: 'sms' } })
    ).json().data;
    const outcome = (noteId: string, status: 'sent' | 'delivered' | 'failed', at: string) =>
      t.platform.database.db.transaction().execute((trx) =>
        publish(trx, 'notification.deliveries-updated', {
          notificationId: newId(),
          userId: b,
          kind: 'love-note.received',
          at,
          data: { noteId, coupleId },
          deliveries: [
            { deliveryId: newId(), channel: 'sms', status, reason: status === 'failed' ? 'permanent' : null },
          ],
        }),
      );
    // The provider's delivery receipt overtakes the 'sent' that preceded it, and a stale failure comes last.
    await outcome(note.id, 'delivered', '2026-11-25T10:00:02Z');
    await outcome(note.id, 'sent', '2026-11-25T10:00:01Z');
    await outcome(note.id, 'failed', '2026-11-25T10:00:00Z');
    await outcome(newId(), 'sent', '2026-11-25T10:00:00Z');
    const sms = await eventually(async () => {
      const found = channel(await steps(b, note.id), 'sms');
      return found?.status === 'delivered' ? found : undefined;
    });
    assert.equal(sms.reason, null);
    // Let the two later events be consumed too, then check they moved nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(channel(await steps(b, note.id), 'sms')?.status, 'delivered');
    // An outcome for a note that is gone is dropped quietly rather than failing (and retrying) forever.
    const gone = newId();
    await t.platform.database.db.transaction().execute((trx) =>
      recordOutcome(trx as never, {
        notificationId: newId(),
        deliveryId: newId(),
        userId: b,
        kind: 'love-note.received',
        channel: 'sms',
        status: 'sent',
        reason: null,
        at: new Date().toISOString(),
        data: { noteId: gone, coupleId },
      }),
    );
    const { rows } = await sql`select 1 from love_notes_channel_outcomes where note_id = ${gone}`.execute(
      t.platform.database.db,
    );
    assert.equal(rows.length, 0);
  });
  it('forwards notification.created to the recipient live connection', async () => {
    const { a, b } = await makeCouple(t, { names: ['Alex', 'Sam'] });
    const port = (t.app.server.address() as AddressInfo).port;
    const chunks: string[] = [];
    const request = http.get(`http://127.0.0.1:${port}/v1/realtime/sse`, { headers: as(b) });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    assert.equal(response.statusCode, 200);
    response.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    try {
      const note = (
        await t.app.inject({ method: 'POST', url: '/v1/love-notes', headers: as(a), payload: { body: 'hi' } })
      ).json().data;
      // Linking told b too (couple.linked); the note's notification is the one naming it.
      const event = await eventually(async () => {
        const all = [
          ...chunks.join('').matchAll(/id: (\d+_[0-9a-f-]{36})\nevent: notification\.created\ndata: (.*)\n/g),
        ].map((m) => ({ id: m[1]!, data: JSON.parse(m[2]!) }));
        return all.find((e) => e.data.data.noteId === note.id);
      }, 20_000);
      assert.equal(event.data.kind, 'love-note.received');
      assert.match(event.data.title, /sent you a love note$/);
      assert.equal(event.data.data.noteId, note.id);
      assert.ok(event.id.endsWith(`_${event.data.id}`), 'the event id names the notification');
      // The love note itself arrived on the same stream.
      assert.match(chunks.join(''), new RegExp(`event: love-note\\.created\\ndata: .*${note.id}`));
    } finally {
      request.destroy();
    }
  });
});
