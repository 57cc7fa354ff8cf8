import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MODULES } from '../../src/modules/index.ts';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { upsertDevice } from '../../src/modules/notifications/repo.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, eventually, testAuth } from '../support/test-auth.ts';

/** The whole path: event in the outbox → bus → notification → delivery job → file transport. */
describe('notifications worker', () => {
  let t: TestApp;
  let stop: () => Promise<void>;
  before(async () => {
    t = await createTestApp({ NATS_URL: '', JOBS_POLL_INTERVAL_MS: '100' }, { routes: testAuth });
    const module = MODULES.find((m) => m.name === 'notifications')!;
    const stopModule = await module.worker!(t.platform);
    const stopWorker = await startWorker(t.platform);
    stop = async () => {
      await stopWorker();
      await stopModule();
    };
  });
  after(async () => {
    await stop();
    await t.close();
  });

  const inbox = async (userId: string) =>
    (await t.app.inject({ url: '/v1/notifications', headers: as(userId) })).json().data as Array<{
      id: string;
      title: string;
    }>;

  it('turns love-note.delivered into an inbox item and a phone push', async () => {
    const ctx = await notificationsContext(t.platform);
    const recipient = newId();
    const noteId = newId();
    await upsertDevice(ctx.db, { userId: recipient }, { platform: 'android', token: `tok-${recipient}` });
    await t.platform.database.db.transaction().execute((trx) =>
      publish(trx, 'love-note.delivered', {
        noteId,
        senderId: newId(),
        recipientId: recipient,
        senderName: 'Sam',
      }),
    );
    const [item] = await eventually(async () => {
      const items = await inbox(recipient);
      return items.length > 0 ? items : undefined;
    });
    assert.equal(item!.title, 'Sam sent you a love note');
    const push = await eventually(async () => {
      const res = await t.app.inject({
        url: `/v1/notifications/${item!.id}/deliveries`,
        headers: as(recipient),
      });
      const row = res.json().data.find((d: { channel: string }) => d.channel === 'mobile_push');
      return row.status === 'sent' ? row : undefined;
    });
    assert.ok(push.providerMessageId);
    const dir = path.join(t.platform.config.dataDir, 'outbox', 'push');
    const lines = (await Promise.all((await readdir(dir)).map((f) => readFile(path.join(dir, f), 'utf8'))))
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const line = lines.find((l) => l.id === push.providerMessageId);
    assert.deepEqual(line.to, { platform: 'android', token: `tok-${recipient}` });
    assert.equal(line.message.data.noteId, noteId);
  });

  it('tells both partners when a couple links', async () => {
    const a = newId();
    const b = newId();
    await t.platform.database.db
      .transaction()
      .execute((trx) => publish(trx, 'couple.linked', { coupleId: newId(), userIds: [a, b] }));
    for (const person of [a, b]) {
      const [item] = await eventually(async () => {
        const items = await inbox(person);
        return items.length > 0 ? items : undefined;
      });
      assert.equal(item!.title, 'You are now linked with your partner');
    }
  });

  it('reads love-note.read only into the inbox', async () => {
    const sender = newId();
    await t.platform.database.db.transaction().execute((trx) =>
      publish(trx, 'love-note.read', {
        noteId: newId(),
        senderId: sender,
        recipientId: newId(),
        readerName: 'Alex',
      }),
    );
    const [item] = await eventually(async () => {
      const items = await inbox(sender);
      return items.length > 0 ? items : undefined;
    });
    const deliveries = (
      await t.app.inject({ url: `/v1/notifications/${item!.id}/deliveries`, headers: as(sender) })
    ).json().data;
    assert.deepEqual(
      deliveries.map((d: { channel: string }) => d.channel),
      ['in_app'],
    );
  });
});
