import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type PushService,
  startPushService,
  subscriber,
  verifyVapid,
} from '../../../test/support/push-service.ts';
import { localCertificate } from '../../../test/support/tls.ts';
import { ChannelError } from './errors.ts';
import { createWebPushTransport, resolveVapidKeys, type WebPushTransport } from './web-push.ts';

describe('Web Push transport', () => {
  let service: PushService;
  let transport: WebPushTransport;
  let dataDir: string;

  before(async () => {
    const certificate = await localCertificate();
    service = await startPushService(certificate);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-webpush-'));
    transport = createWebPushTransport({
      keys: await resolveVapidKeys({}, dataDir),
      subject: 'mailto:push@one2one.love',
      agent: new https.Agent({ ca: certificate.cert }),
    });
  });
  after(async () => {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates VAPID keys once and keeps them', async () => {
    const again = await resolveVapidKeys({}, dataDir);
    assert.equal(again.publicKey, transport.vapidPublicKey);
    assert.equal(Buffer.from(again.publicKey, 'base64url').length, 65);
    const configured = { publicKey: 'configured-public', privateKey: 'configured-private' };
    assert.deepEqual(await resolveVapidKeys(configured, dataDir), configured);
  });

  it('sends a VAPID-signed, RFC 8291 encrypted push the subscriber can decrypt', async () => {
    const browser = subscriber(`${service.origin}/push/abc`);
    const payload = { title: 'A love note from Sam', url: '/notes/1', id: 'n1' };
    const result = await transport.send(browser, {
      payload,
      ttlSeconds: 3600,
      urgency: 'high',
      topic: 'love-notes',
    });

    const push = service.received.at(-1)!;
    assert.equal(push.path, '/push/abc');
    assert.equal(result.providerMessageId, `/messages/${service.received.length}`);
    assert.equal(push.headers['content-encoding'], 'aes128gcm');
    assert.equal(push.headers.ttl, '3600');
    assert.equal(push.headers.urgency, 'high');
    assert.equal(push.headers.topic, 'love-notes');

    const vapid = await verifyVapid(push.headers.authorization as string, service.origin);
    assert.equal(vapid.key, transport.vapidPublicKey);
    assert.equal(vapid.claims.sub, 'mailto:push@one2one.love');
    const expiresIn = (vapid.claims.exp as number) - Date.now() / 1000;
    assert.ok(expiresIn > 0 && expiresIn <= 24 * 3600, `VAPID token lives ${expiresIn}s`);

    assert.deepEqual(JSON.parse(browser.decrypt(push.body).toString('utf8')), payload);
  });

  it('reports an expired subscription (410) as an invalid target', async () => {
    service.answer('/push/gone', 410);
    await assert.rejects(
      transport.send(subscriber(`${service.origin}/push/gone`), {
        payload: {},
        ttlSeconds: 60,
        urgency: 'normal',
      }),
      (error: unknown) =>
        error instanceof ChannelError && error.kind === 'invalid-target' && error.status === 410,
    );
  });

  it('reports throttling (429) as transient with its Retry-After', async () => {
    service.answer('/push/busy', 429, { 'retry-after': '30' });
    await assert.rejects(
      transport.send(subscriber(`${service.origin}/push/busy`), {
        payload: {},
        ttlSeconds: 60,
        urgency: 'low',
      }),
      (error: unknown) =>
        error instanceof ChannelError && error.kind === 'transient' && error.retryAfterMs === 30_000,
    );
  });

  it('reports a bad request (400) as permanent', async () => {
    service.answer('/push/bad', 400);
    await assert.rejects(
      transport.send(subscriber(`${service.origin}/push/bad`), {
        payload: {},
        ttlSeconds: 60,
        urgency: 'low',
      }),
      (error: unknown) => error instanceof ChannelError && error.kind === 'permanent',
    );
  });

  it('reports a subscription with unusable keys as an invalid target', async () => {
    const broken = { endpoint: `${service.origin}/push/x`, keys: { p256dh: 'short', auth: 'short' } };
    await assert.rejects(
      transport.send(broken, { payload: {}, ttlSeconds: 60, urgency: 'low' }),
      (error: unknown) => error instanceof ChannelError && error.kind === 'invalid-target',
    );
  });

  it('reports an unreachable push service as transient', async () => {
    await assert.rejects(
      transport.send(subscriber('https://127.0.0.1:1/push/none'), {
        payload: {},
        ttlSeconds: 60,
        urgency: 'low',
      }),
      (error: unknown) => error instanceof ChannelError && error.kind === 'transient',
    );
  });
});
