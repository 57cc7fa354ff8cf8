import assert from 'node:assert/strict';
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
 * notification.delivery-updated → love-notes files it under the note.
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
  });

  it('keeps the latest status whatever order the events arrive in, and drops outcomes of unknown notes', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const note = (
      await t.app.inject({ method: 'POST', url: '/v1/love-notes', headers: as(a), payload: { body: 'sms' } })
    ).json().data;
    const outcome = (noteId: string, status: 'sent' | 'delivered' | 'failed', at: string) =>
      t.platform.database.db.transaction().execute((trx) =>
        publish(trx, 'notification.delivery-updated', {
          notificationId: newId(),
          deliveryId: newId(),
          userId: b,
          kind: 'love-note.received',
          channel: 'sms',
          status,
          reason: status === 'failed' ? 'permanent' : null,
          at,
          data: { noteId, coupleId },
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
});
