import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { type Channel, createNotificationsContext } from '../../src/modules/notifications/index.ts';
import { upsertPushSubscription } from '../../src/modules/notifications/repo.ts';
import { startNotificationsWorker } from '../../src/modules/notifications/worker.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { feed, loveNoteDelivered, recipient, userId } from '../notifications/support.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { freePort } from '../support/process.ts';
import { type PushService, startPushService, subscriber } from '../support/push-service.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp.ts';
import { eventually, testAuth } from '../support/test-auth.ts';
import { localCertificate } from '../support/tls.ts';

const MAX_ATTEMPTS = 3;

/**
 * Providers down while the real worker (bus consumer and job runner) delivers
 * notifications: retries with backoff, the exhausted ones listed for admins,
 * and an admin's replay after recovery. What the unit and delivery suites
 * already prove (Retry-After, permanent failures, the AI coach's fallbacks) is
 * listed in docs/faults.md rather than repeated here.
 */
describe('fault: provider outages (SMTP, web push)', () => {
  let t: TestApp;
  let ctx: NotificationsContext;
  let smtp: SmtpSink | undefined;
  let smtpPort: number;
  let push: PushService;
  let stop: () => Promise<void>;
  const admin = { 'x-test-user': `${userId()}:admin` };

  before(async () => {
    smtpPort = await freePort();
    const certificate = await localCertificate();
    push = await startPushService(certificate);
    // Nothing listens on the SMTP port yet: every connection is refused.
    t = await createTestApp(
      { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, NATS_URL: '', JOBS_POLL_INTERVAL_MS: '100' },
      { routes: testAuth },
    );
    // The worker's context with short backoffs and the local push service's certificate.
    ctx = await createNotificationsContext(t.platform, {
      channels: { ca: certificate.cert, webPushAgent: new https.Agent({ ca: certificate.cert }) },
      retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 200, maxDelayMs: 1000 },
    });
    const stopModule = await startNotificationsWorker(t.platform, ctx);
    const stopJobs = await startWorker(t.platform);
    stop = async () => {
      await stopJobs();
      await stopModule();
    };
  });
  after(async () => {
    await stop?.();
    await ctx?.channels.close();
    await t?.close();
    await smtp?.close();
    await push?.close();
  });

  const delivery = async (notificationId: string, channel: Channel) =>
    ctx.db
      .selectFrom('notifications_deliveries')
      .selectAll()
      .where('notification_id', '=', notificationId)
      .where('channel', '=', channel)
      .executeTakeFirstOrThrow();

  it('SMTP refusing connections: retried, exhausted, listed for admins, and replayed once it is back', async () => {
    const me = userId();
    const email = `${me}@example.test`;
    await recipient(ctx, me, { email });
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const notification = created[0]!;

    const failed = await eventually(async () => {
      const row = await delivery(notification.id, 'email');
      return row.status === 'failed' ? row : undefined;
    }, 30_000);
    assert.equal(failed.reason, 'retries-exhausted');
    assert.equal(failed.attempts, MAX_ATTEMPTS, 'every attempt was made');
    assert.match(failed.last_error ?? '', /SMTP|ECONNREFUSED/);
    const listed = await t.app.inject({ url: '/v1/admin/notifications/failures?limit=50', headers: admin });
    assert.equal(listed.statusCode, 200);
    assert.ok(listed.json().data.some((d: { id: string }) => d.id === failed.id));

    // The provider recovers; an admin replays the failed delivery.
    smtp = await startSmtpSink(smtpPort);
    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/notifications/failures/${failed.id}/retry`,
      headers: admin,
    });
    assert.equal(replay.statusCode, 200, replay.body);
    assert.equal(replay.json().data.status, 'pending');
    assert.equal(replay.json().data.attempts, 0);
    const sent = await eventually(async () => {
      const row = await delivery(notification.id, 'email');
      return row.status === 'sent' ? row : undefined;
    }, 30_000);
    assert.equal(sent.attempts, 1);
    await smtp.mailTo(email);
    assert.equal(smtp.received.filter((m) => m.to.includes(email)).length, 1, 'sent exactly once');

    // Only failed deliveries can be replayed, and only by an admin.
    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/notifications/failures/${failed.id}/retry`,
      headers: admin,
    });
    assert.equal(again.statusCode, 404);
    const user = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/notifications/failures/${failed.id}/retry`,
      headers: { 'x-test-user': me },
    });
    assert.equal(user.statusCode, 403);
  });

  it('push service answering 503 for a while: retried with backoff and delivered once it recovers', async () => {
    const me = userId();
    const path = `/push/outage-${me}`;
    const browser = subscriber(`${push.origin}${path}`);
    await upsertPushSubscription(
      ctx.db,
      { userId: me },
      { ...browser.keys, endpoint: browser.endpoint, userAgent: null },
    );
    // Retry-After keeps the next attempt at least 2 s away: time enough to see it pending.
    push.answer(path, 503, { 'retry-after': '2' });
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const notification = created[0]!;

    const retrying = await eventually(async () => {
      const row = await delivery(notification.id, 'web_push');
      return row.attempts >= 1 ? row : undefined;
    }, 30_000);
    assert.equal(retrying.status, 'pending', 'a 503 is worth another attempt');
    assert.match(retrying.last_error ?? '', /503/);
    assert.ok(
      retrying.next_attempt_at!.getTime() - retrying.updated_at.getTime() >= 1500,
      'the next attempt waits as long as the provider asked',
    );
    push.answer(path, 201, { location: `/messages/${me}` });

    const sent = await eventually(async () => {
      const row = await delivery(notification.id, 'web_push');
      return row.status === 'sent' || row.status === 'failed' ? row : undefined;
    }, 30_000);
    assert.equal(sent.status, 'sent', sent.last_error ?? '');
    assert.ok(sent.attempts >= 2 && sent.attempts <= MAX_ATTEMPTS);
    assert.equal(push.received.filter((r) => r.path === path && r.body.length > 0).length, sent.attempts);
  });
});
