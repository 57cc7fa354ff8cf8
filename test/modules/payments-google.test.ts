import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { entitlementsOf } from '../../src/modules/payments/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type H2Request, type H2Server, startHttp2Server } from '../support/http2-server.ts';
import { makeCouple } from '../support/love-notes.ts';
import { newUserId, testAuth } from '../support/test-auth.ts';
import { localCertificate } from '../support/tls.ts';

/**
 * Google Play RTDN: a Pub/Sub push whose OIDC token the test signs and
 * serves the JWKS of; the purchase is re-read from a local server speaking
 * the Play Developer API (TLS, HTTP/2, service-account OAuth).
 */
describe('payments: Google Play notifications', () => {
  let t: TestApp;
  let jwksServer: Server;
  let oauth: H2Server;
  let play: H2Server;
  const googleKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const accountKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pushAccount = 'pubsub-push@o2o-test.iam.gserviceaccount.com';
  const audience = 'https://api.example.test/v1/billing/webhooks/google';
  const product = 'premium_monthly';
  /** purchase token → what Play answers. */
  const purchases = new Map<string, { state: string; userId: string; expiry: number }>();

  before(async () => {
    const jwk = { ...(await exportJWK(googleKey.publicKey)), kid: 'google-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const certificate = await localCertificate();
    oauth = await startHttp2Server(certificate, () => ({
      status: 200,
      body: { access_token: 'play-token', expires_in: 3600, token_type: 'Bearer' },
    }));
    play = await startHttp2Server(certificate, (request: H2Request) => {
      if (request.headers.authorization !== 'Bearer play-token') return { status: 401, body: {} };
      const token = decodeURIComponent(request.path.split('/tokens/')[1] ?? '');
      const found = purchases.get(token);
      if (!found) return { status: 404, body: { error: { code: 404, status: 'NOT_FOUND' } } };
      return {
        status: 200,
        body: {
          kind: 'androidpublisher#subscriptionPurchaseV2',
          subscriptionState: found.state,
          startTime: new Date(Date.now() - 86_400_000).toISOString(),
          lineItems: [{ productId: product, expiryTime: new Date(found.expiry).toISOString() }],
          externalAccountIdentifiers: { obfuscatedExternalAccountId: found.userId },
        },
      };
    });
    t = await createTestApp(
      {
        GOOGLE_PACKAGE_NAME: 'love.one2one.app',
        GOOGLE_SERVICE_ACCOUNT: JSON.stringify({
          type: 'service_account',
          project_id: 'o2o-test',
          private_key_id: 'key-1',
          private_key: accountKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          client_email: 'play@o2o-test.iam.gserviceaccount.com',
          token_uri: `${oauth.origin}/token`,
        }),
        GOOGLE_PLAY_API_URL: play.origin,
        GOOGLE_PLAY_API_CA: certificate.cert,
        GOOGLE_PUBSUB_AUDIENCE: audience,
        GOOGLE_PUBSUB_SERVICE_ACCOUNT: pushAccount,
        GOOGLE_PUBSUB_JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/certs`,
        GOOGLE_PRODUCT_PREMIUM_MONTHLY: product,
      },
      { routes: testAuth },
    );
  });
  after(async () => {
    await t.close();
    await oauth.close();
    await play.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const premium = (userId: string) => entitlementsOf(t.platform).has(userId, 'premium');
  const oidc = (claims: Record<string, unknown> = {}, key = googleKey.privateKey, aud = audience) =>
    new SignJWT({ email: pushAccount, email_verified: true, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'google-1' })
      .setIssuer('https://accounts.google.com')
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  function push(token: string, authorization: string | undefined, messageId = randomUUID()) {
    const data = Buffer.from(
      JSON.stringify({
        version: '1.0',
        packageName: 'love.one2one.app',
        eventTimeMillis: String(Date.now()),
        subscriptionNotification: { version: '1.0', notificationType: 4, purchaseToken: token },
      }),
    ).toString('base64');
    return t.app.inject({
      method: 'POST',
      url: '/v1/billing/webhooks/google',
      headers: authorization ? { authorization } : {},
      payload: {
        message: { data, messageId, message_id: messageId, publishTime: new Date().toISOString() },
        subscription: 'projects/o2o-test/subscriptions/play-rtdn',
      },
    });
  }

  it('re-reads the purchase on each notification and maps Play states to the couple’s premium', async () => {
    const { a, b } = await makeCouple(t);
    const token = `token-${randomUUID()}`;
    const month = Date.now() + 30 * 86_400_000;
    for (const [state, expected, expiry] of [
      ['SUBSCRIPTION_STATE_ACTIVE', true, month],
      ['SUBSCRIPTION_STATE_IN_GRACE_PERIOD', true, month],
      ['SUBSCRIPTION_STATE_ON_HOLD', false, month],
      ['SUBSCRIPTION_STATE_ACTIVE', true, month],
      ['SUBSCRIPTION_STATE_CANCELED', true, month],
      ['SUBSCRIPTION_STATE_CANCELED', false, Date.now() - 1000],
      ['SUBSCRIPTION_STATE_EXPIRED', false, Date.now() - 1000],
    ] as const) {
      purchases.set(token, { state, userId: a, expiry });
      const res = await push(token, `Bearer ${await oidc()}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await premium(a), expected, state);
      assert.equal(await premium(b), expected, `${state}: partner`);
    }
  });

  it('de-duplicates by message id', async () => {
    const a = newUserId();
    const token = `token-${randomUUID()}`;
    purchases.set(token, { state: 'SUBSCRIPTION_STATE_ACTIVE', userId: a, expiry: Date.now() + 86_400_000 });
    const id = randomUUID();
    assert.deepEqual((await push(token, `Bearer ${await oidc()}`, id)).json().data, {
      received: true,
      duplicate: false,
    });
    assert.deepEqual((await push(token, `Bearer ${await oidc()}`, id)).json().data, {
      received: true,
      duplicate: true,
    });
    assert.equal(await premium(a), true);
  });

  it('refuses a push without a valid Google token', async () => {
    const a = newUserId();
    const token = `token-${randomUUID()}`;
    purchases.set(token, { state: 'SUBSCRIPTION_STATE_ACTIVE', userId: a, expiry: Date.now() + 86_400_000 });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const authorization of [
      undefined,
      'Bearer not-a-jwt',
      `Bearer ${await oidc({}, stranger)}`,
      `Bearer ${await oidc({}, googleKey.privateKey, 'https://elsewhere.test')}`,
      `Bearer ${await oidc({ email_verified: false })}`,
      `Bearer ${await oidc({ email: 'someone@else.test' })}`,
    ]) {
      const res = await push(token, authorization);
      assert.equal(res.statusCode, 401, res.body);
    }
    assert.equal(await premium(a), false);
  });
});
