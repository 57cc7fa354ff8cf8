import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { attemptDelivery } from '../../src/modules/notifications/delivery.ts';
import { createNotificationsContext } from '../../src/modules/notifications/index.ts';
import { listDevices, upsertDevice, upsertPushSubscription } from '../../src/modules/notifications/repo.ts';
import type { NotificationsDb } from '../../src/modules/notifications/tables.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type H2Server, startHttp2Server } from '../support/http2-server.ts';
import { type PushService, type Subscriber, startPushService, subscriber } from '../support/push-service.ts';
import { testAuth } from '../support/test-auth.ts';
import { localCertificate } from '../support/tls.ts';
import { feed, loveNoteDelivered, recipient, userId } from './support.ts';

describe('notification deliveries through the providers', () => {
  let t: TestApp;
  let ctx: NotificationsContext;
  let db: Kysely<NotificationsDb>;
  let pushService: PushService;
  let apns: H2Server;
  let fcm: H2Server;
  let oauth: H2Server;

  before(async () => {
    const certificate = await localCertificate();
    pushService = await startPushService(certificate);
    oauth = await startHttp2Server(certificate, () => ({
      status: 200,
      body: { access_token: 'fcm-access', expires_in: 3600, token_type: 'Bearer' },
    }));
    fcm = await startHttp2Server(certificate, (request) => {
      const token = (JSON.parse(request.body) as { message: { token: string } }).message.token;
      if (token.startsWith('gone')) {
        return {
          status: 404,
          body: { error: { status: 'NOT_FOUND', details: [{ errorCode: 'UNREGISTERED' }] } },
        };
      }
      return { status: 200, body: { name: `projects/o2o/messages/${token}` } };
    });
    apns = await startHttp2Server(certificate, (request) => {
      if (request.path.endsWith('/gone')) return { status: 410, body: { reason: 'Unregistered' } };
      return { status: 200, headers: { 'apns-id': String(request.headers['apns-id']) } };
    });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    t = await createTestApp(
      {
        FCM_SERVICE_ACCOUNT: JSON.stringify({
          project_id: 'o2o',
          client_email: 'push@o2o.iam.gserviceaccount.com',
          private_key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          token_uri: `${oauth.origin}/token`,
        }),
        FCM_API_URL: fcm.origin,
        APNS_KEY: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        APNS_KEY_ID: 'KEY1234567',
        APNS_TEAM_ID: 'TEAM123456',
        APNS_TOPIC: 'love.one2one.app',
        APNS_URL: apns.origin,
      },
      { routes: testAuth },
    );
    ctx = await createNotificationsContext(t.platform, {
      channels: { ca: certificate.cert, webPushAgent: new https.Agent({ ca: certificate.cert }) },
      retry: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 60_000 },
    });
    db = ctx.db;
  });
  after(async () => {
    await ctx.channels.close();
    await t.close();
    await Promise.all([pushService.close(), apns.close(), fcm.close(), oauth.close()]);
  });

  const subscribe = (user: string, browser: Subscriber) =>
    upsertPushSubscription(
      db,
      { userId: user },
      { ...browser.keys, endpoint: browser.endpoint, userAgent: null },
    );

  const deliveries = (notificationId: string) =>
    db
      .selectFrom('notifications_deliveries')
      .selectAll()
      .where('notification_id', '=', notificationId)
      .execute();

  async function notify(user: string) {
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(user));
    return created[0]!;
  }

  async function attempt(notificationId: string, channel: string) {
    const row = (await deliveries(notificationId)).find((d) => d.channel === channel)!;
    await attemptDelivery(ctx, { userId: row.user_id, deliveryId: row.id });
    return (await deliveries(notificationId)).find((d) => d.channel === channel)!;
  }

  it('pushes to the browser (decryptable payload) and to both phones', async () => {
    const me = userId();
    const browser = subscriber(`${pushService.origin}/push/${me}`);
    await subscribe(me, browser);
    await upsertDevice(db, { userId: me }, { platform: 'ios', token: 'ios-ok' });
    await upsertDevice(db, { userId: me }, { platform: 'android', token: 'android-ok' });
    const notification = await notify(me);

    const web = await attempt(notification.id, 'web_push');
    assert.equal(web.status, 'sent');
    assert.equal(web.attempts, 1);
    const received = pushService.received.find((r) => r.path === `/push/${me}`)!;
    const payload = JSON.parse(browser.decrypt(received.body).toString('utf8'));
    assert.equal(payload.title, 'Sam sent you a love note');
    assert.equal(payload.id, notification.id);

    const mobile = await attempt(notification.id, 'mobile_push');
    assert.equal(mobile.status, 'sent');
    assert.ok(apns.requests.some((r) => r.path === '/3/device/ios-ok'));
    assert.ok(fcm.requests.some((r) => r.body.includes('android-ok')));
    // Running the job again (a redelivered job) sends nothing more.
    const before = pushService.received.length;
    await attempt(notification.id, 'web_push');
    assert.equal(pushService.received.length, before);
  });

  it('removes tokens the providers call invalid and still counts the working one', async () => {
    const me = userId();
    await upsertDevice(db, { userId: me }, { platform: 'ios', token: 'gone' });
    await upsertDevice(db, { userId: me }, { platform: 'android', token: 'gone-android' });
    await upsertDevice(db, { userId: me }, { platform: 'android', token: 'android-fine' });
    const notification = await notify(me);
    const mobile = await attempt(notification.id, 'mobile_push');
    assert.equal(mobile.status, 'sent');
    assert.deepEqual(
      (await listDevices(db, { userId: me })).map((d) => d.token),
      ['android-fine'],
    );
  });

  it('retries a throttled push no sooner than Retry-After, then gives up', async () => {
    const me = userId();
    const browser = subscriber(`${pushService.origin}/push/busy-${me}`);
    pushService.answer(`/push/busy-${me}`, 429, { 'retry-after': '120' });
    await subscribe(me, browser);
    const notification = await notify(me);
    const started = Date.now();
    const first = await attempt(notification.id, 'web_push');
    assert.equal(first.status, 'pending');
    assert.equal(first.attempts, 1);
    assert.ok(first.next_attempt_at!.getTime() >= started + 120_000, 'waits at least Retry-After');
    assert.match(first.last_error ?? '', /429/);
    const second = await attempt(notification.id, 'web_push');
    assert.equal(second.status, 'failed');
    assert.equal(second.reason, 'retries-exhausted');
    assert.equal(second.attempts, 2);
  });

  it('does not retry a permanent failure', async () => {
    const me = userId();
    pushService.answer(`/push/bad-${me}`, 400);
    await subscribe(me, subscriber(`${pushService.origin}/push/bad-${me}`));
    const notification = await notify(me);
    const row = await attempt(notification.id, 'web_push');
    assert.equal(row.status, 'failed');
    assert.equal(row.reason, 'permanent');
    assert.equal(row.attempts, 1);
  });

  it('falls back to email when every push target turns out to be gone', async () => {
    const me = userId();
    await recipient(ctx, me, { email: 'me@example.test' });
    pushService.answer(`/push/gone-${me}`, 410);
    await subscribe(me, subscriber(`${pushService.origin}/push/gone-${me}`));
    const notification = await notify(me);
    const planned = Object.fromEntries((await deliveries(notification.id)).map((d) => [d.channel, d.status]));
    assert.equal(planned.email, undefined, 'email waits while a push target may work');
    const web = await attempt(notification.id, 'web_push');
    assert.equal(web.status, 'failed');
    assert.equal(web.reason, 'no-target');
    const email = (await deliveries(notification.id)).find((d) => d.channel === 'email');
    assert.equal(email?.status, 'pending');
    assert.equal(email?.reason, 'fallback');
  });

  it('lists the failures for an admin, newest first, page by page', async () => {
    const admin = { 'x-test-user': `${userId()}:admin` };
    const first = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/notifications/failures?limit=1',
      headers: admin,
    });
    assert.equal(first.statusCode, 200);
    const [newest] = first.json().data;
    assert.equal(newest.status, 'failed');
    assert.equal(newest.kind, 'love-note.received');
    assert.ok(first.json().meta.nextCursor);
    const next = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/notifications/failures?limit=1&cursor=${first.json().meta.nextCursor}`,
      headers: admin,
    });
    assert.ok(next.json().data[0].id < newest.id);
  });
});
