import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { entitlementsOf } from '../../src/modules/payments/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeAppleLikeChain, type TestChain } from '../support/apple.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * App Store Server Notifications v2, verified by Apple's own library against
 * a certificate chain the test makes (its root configured as trusted).
 */
describe('payments: App Store notifications', () => {
  let t: TestApp;
  let chain: TestChain;
  let stranger: TestChain;
  const bundleId = 'love.one2one.app';
  const product = 'love.one2one.premium.monthly';
  before(async () => {
    chain = await makeAppleLikeChain('Test');
    stranger = await makeAppleLikeChain('Stranger');
    t = await createTestApp(
      {
        APPLE_BUNDLE_ID: bundleId,
        APPLE_ENVIRONMENT: 'Sandbox',
        APPLE_ROOT_CERTIFICATES: chain.rootPem,
        APPLE_PRODUCT_PREMIUM_MONTHLY: product,
      },
      { routes: testAuth },
    );
  });
  after(() => t.close());

  const premium = (userId: string) => entitlementsOf(t.platform).has(userId, 'premium');
  const view = async (userId: string) =>
    (await t.app.inject({ method: 'GET', url: '/v1/billing/entitlements', headers: as(userId) })).json().data;

  interface Notice {
    type: string;
    subtype?: string;
    userId: string;
    originalTransactionId: string;
    expiresInMs?: number;
    graceInMs?: number;
    signedDate?: number;
    uuid?: string;
    signer?: TestChain;
    bundle?: string;
  }
  async function notification(n: Notice) {
    const signer = n.signer ?? chain;
    const now = n.signedDate ?? Date.now();
    const transaction = await signer.sign({
      transactionId: String(Math.floor(Math.random() * 1e12)),
      originalTransactionId: n.originalTransactionId,
      bundleId: n.bundle ?? bundleId,
      productId: product,
      purchaseDate: now - 1000,
      expiresDate: now + (n.expiresInMs ?? 30 * 86_400_000),
      type: 'Auto-Renewable Subscription',
      inAppOwnershipType: 'PURCHASED',
      appAccountToken: n.userId,
      environment: 'Sandbox',
      currency: 'EUR',
      price: 7990,
      signedDate: now,
    });
    const renewal = await signer.sign({
      originalTransactionId: n.originalTransactionId,
      productId: product,
      autoRenewProductId: product,
      autoRenewStatus: 1,
      environment: 'Sandbox',
      signedDate: now,
      ...(n.graceInMs !== undefined ? { gracePeriodExpiresDate: now + n.graceInMs } : {}),
    });
    const uuid = n.uuid ?? randomUUID();
    const signedPayload = await signer.sign({
      notificationType: n.type,
      ...(n.subtype ? { subtype: n.subtype } : {}),
      notificationUUID: uuid,
      version: '2.0',
      signedDate: now,
      data: {
        bundleId: n.bundle ?? bundleId,
        environment: 'Sandbox',
        signedTransactionInfo: transaction,
        signedRenewalInfo: renewal,
        status: 1,
      },
    });
    return { uuid, signedPayload };
  }
  const post = (body: object) =>
    t.app.inject({ method: 'POST', url: '/v1/billing/webhooks/apple', payload: body });

  it('maps SUBSCRIBED, DID_RENEW, DID_FAIL_TO_RENEW (grace), EXPIRED to premium for the couple', async () => {
    const { a, b } = await makeCouple(t);
    const original = `2000000${Date.now()}`;
    const step = async (
      n: Omit<Notice, 'userId' | 'originalTransactionId'>,
      expected: boolean,
      grace = false,
    ) => {
      const { signedPayload } = await notification({ ...n, userId: a, originalTransactionId: original });
      const res = await post({ signedPayload });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await premium(a), expected, `${n.type}: subscriber`);
      assert.equal(await premium(b), expected, `${n.type}: partner`);
      assert.equal((await view(a)).grace, grace, `${n.type}: grace`);
    };
    await step({ type: 'SUBSCRIBED', subtype: 'INITIAL_BUY' }, true);
    assert.equal((await view(a)).subscription.provider, 'apple');
    await step({ type: 'DID_RENEW' }, true);
    await step(
      { type: 'DID_FAIL_TO_RENEW', subtype: 'GRACE_PERIOD', graceInMs: 16 * 86_400_000 },
      true,
      true,
    );
    await step({ type: 'DID_RENEW', subtype: 'BILLING_RECOVERY' }, true);
    await step({ type: 'EXPIRED', subtype: 'VOLUNTARY' }, false);
    await step({ type: 'SUBSCRIBED', subtype: 'RESUBSCRIBE' }, true);
    await step({ type: 'REFUND' }, false);
  });

  it('a grace period that ended gives no premium, whatever the last notification said', async () => {
    const a = newUserId();
    const { signedPayload } = await notification({
      type: 'DID_FAIL_TO_RENEW',
      subtype: 'GRACE_PERIOD',
      userId: a,
      originalTransactionId: `2100000${Date.now()}`,
      graceInMs: -1000,
      expiresInMs: -2000,
    });
    assert.equal((await post({ signedPayload })).statusCode, 200);
    assert.equal(await premium(a), false);
  });

  it('de-duplicates by notificationUUID and ignores a notification older than the state it has', async () => {
    const a = newUserId();
    const original = `2200000${Date.now()}`;
    const first = await notification({ type: 'SUBSCRIBED', userId: a, originalTransactionId: original });
    assert.deepEqual((await post({ signedPayload: first.signedPayload })).json().data, {
      received: true,
      duplicate: false,
    });
    assert.deepEqual((await post({ signedPayload: first.signedPayload })).json().data, {
      received: true,
      duplicate: true,
    });
    const expired = await notification({ type: 'EXPIRED', userId: a, originalTransactionId: original });
    assert.equal((await post({ signedPayload: expired.signedPayload })).statusCode, 200);
    assert.equal(await premium(a), false);
    // Signed before the expiry, delivered after it.
    const late = await notification({
      type: 'DID_RENEW',
      userId: a,
      originalTransactionId: original,
      signedDate: Date.now() - 60_000,
    });
    assert.equal((await post({ signedPayload: late.signedPayload })).statusCode, 200);
    assert.equal(await premium(a), false);
  });

  it('refuses a chain that does not lead to the trusted root, a tampered payload, another app', async () => {
    const a = newUserId();
    const original = `2300000${Date.now()}`;
    const foreign = await notification({
      type: 'SUBSCRIBED',
      userId: a,
      originalTransactionId: original,
      signer: stranger,
    });
    const genuine = await notification({ type: 'SUBSCRIBED', userId: a, originalTransactionId: original });
    const [header, payload, signature] = genuine.signedPayload.split('.');
    const forged = Buffer.from(payload!, 'base64url').toString('utf8').replace('SUBSCRIBED', 'DID_RENEW');
    const tampered = `${header}.${Buffer.from(forged).toString('base64url')}.${signature}`;
    const otherApp = await notification({
      type: 'SUBSCRIBED',
      userId: a,
      originalTransactionId: original,
      bundle: 'com.example.other',
    });
    for (const signedPayload of [foreign.signedPayload, tampered, otherApp.signedPayload, 'not.a.jws']) {
      const res = await post({ signedPayload });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
    }
    assert.equal((await post({ signedPayload: genuine.signedPayload, extra: 1 })).statusCode, 400);
    assert.equal((await post({})).statusCode, 400);
    assert.equal(await premium(a), false);
  });
});
