import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import {
  type H2Answer,
  type H2Request,
  type H2Server,
  startHttp2Server,
} from '../../../test/support/http2-server.ts';
import { localCertificate } from '../../../test/support/tls.ts';
import { createApnsSender } from './apns.ts';
import { ChannelError } from './errors.ts';
import type { MobilePushSender } from './mobile-push.ts';

const message = {
  title: 'Sam sent you a love note',
  body: 'Open it',
  data: { noteId: 'n1' },
  priority: 'high',
  collapseKey: 'love-notes',
  ttlSeconds: 3600,
} as const;

describe('APNs transport', () => {
  // A .p8 key is a PKCS#8 PEM of a P-256 key: made here the way Apple makes one.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let apns: H2Server;
  let sender: MobilePushSender;
  const providerTokens = new Set<string>();

  const answer = async (request: H2Request): Promise<H2Answer> => {
    const jwt = String(request.headers.authorization).replace(/^bearer /, '');
    const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'ES256');
    const { payload } = await jwtVerify(jwt, key, { issuer: 'TEAM123456' });
    assert.equal(decodeProtectedHeader(jwt).kid, 'KEY1234567');
    assert.ok(typeof payload.iat === 'number');
    providerTokens.add(jwt);
    assert.equal(request.headers['apns-topic'], 'love.one2one.app');
    const token = request.path.replace('/3/device/', '');
    if (token === 'unregistered')
      return { status: 410, body: { reason: 'Unregistered', timestamp: Date.now() } };
    if (token === 'bad') return { status: 400, body: { reason: 'BadDeviceToken' } };
    if (token === 'flaky')
      return { status: 503, headers: { 'retry-after': '3' }, body: { reason: 'ServiceUnavailable' } };
    if (token === 'too-big') return { status: 413, body: { reason: 'PayloadTooLarge' } };
    return { status: 200, headers: { 'apns-id': String(request.headers['apns-id']) } };
  };

  before(async () => {
    const certificate = await localCertificate();
    apns = await startHttp2Server(certificate, answer);
    sender = createApnsSender({
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      keyId: 'KEY1234567',
      teamId: 'TEAM123456',
      topic: 'love.one2one.app',
      url: apns.origin,
      ca: certificate.cert,
    });
  });
  after(async () => {
    await sender.close();
    await apns.close();
  });

  it('posts the alert with token auth and the APNs headers', async () => {
    const result = await sender.send({ platform: 'ios', token: 'a1b2c3' }, message);
    const request = apns.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/3/device/a1b2c3');
    assert.equal(result.providerMessageId, request.headers['apns-id']);
    assert.equal(request.headers['apns-push-type'], 'alert');
    assert.equal(request.headers['apns-priority'], '10');
    assert.equal(request.headers['apns-collapse-id'], 'love-notes');
    const expiration = Number(request.headers['apns-expiration']) - Date.now() / 1000;
    assert.ok(expiration > 3500 && expiration <= 3600);
    assert.deepEqual(JSON.parse(request.body), {
      aps: {
        alert: { title: message.title, body: message.body },
        sound: 'default',
        'thread-id': 'love-notes',
      },
      noteId: 'n1',
    });
  });

  it('keeps one connection and one provider token across messages', async () => {
    await sender.send({ platform: 'ios', token: 'd1' }, message);
    await sender.send({ platform: 'ios', token: 'd2' }, { ...message, priority: 'normal' });
    assert.equal(apns.requests.at(-1)!.headers['apns-priority'], '5');
    assert.equal(apns.connections(), 1);
    assert.equal(providerTokens.size, 1);
  });

  it('reports 410 Unregistered and 400 BadDeviceToken as invalid targets', async () => {
    for (const token of ['unregistered', 'bad']) {
      await assert.rejects(
        sender.send({ platform: 'ios', token }, message),
        (error: unknown) => error instanceof ChannelError && error.kind === 'invalid-target',
      );
    }
  });

  it('reports 503 as transient with its Retry-After, and 413 as permanent', async () => {
    await assert.rejects(
      sender.send({ platform: 'ios', token: 'flaky' }, message),
      (error: unknown) =>
        error instanceof ChannelError &&
        error.kind === 'transient' &&
        error.retryAfterMs === 3000 &&
        error.providerCode === 'ServiceUnavailable',
    );
    await assert.rejects(
      sender.send({ platform: 'ios', token: 'too-big' }, message),
      (error: unknown) => error instanceof ChannelError && error.kind === 'permanent',
    );
  });

  it('reports an unreachable APNs as transient', async () => {
    const offline = createApnsSender({
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      keyId: 'KEY1234567',
      teamId: 'TEAM123456',
      topic: 'love.one2one.app',
      url: 'https://127.0.0.1:1',
    });
    await assert.rejects(
      offline.send({ platform: 'ios', token: 'x' }, message),
      (error: unknown) => error instanceof ChannelError && error.kind === 'transient',
    );
    await offline.close();
  });
});
