import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { PDFParse } from 'pdf-parse';
import { MODULES } from '../../src/modules/index.ts';
import { paymentsContext } from '../../src/modules/payments/context.ts';
import { entitlementsOf, paymentsModule } from '../../src/modules/payments/index.ts';
import { issueInvoice } from '../../src/modules/payments/invoices.ts';
import type { PaymentsDb } from '../../src/modules/payments/tables.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Payments with the sandbox provider (no credentials): plans, checkout,
 * one subscription unlocking premium for both partners, the entitlement
 * following the subscriber after an unlink, invoices (gap-free numbers,
 * PDF), personal data.
 */
describe('payments (sandbox)', () => {
  let t: TestApp;
  let stopWorker: (() => Promise<void>) | undefined;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(async () => {
    await stopWorker?.();
    await t.close();
  });

  const db = () => t.platform.database.db as PaymentsDb;
  const call = (userId: string | null, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: userId ? as(userId) : {}, ...(payload ? { payload } : {}) });
  const premium = (userId: string) => entitlementsOf(t.platform).has(userId, 'premium');
  const events = async (type: string, userId: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from outbox_events
        where type = ${type} and data->>'userId' = ${userId}`.execute(db())
    ).rows[0]!.n;
  async function startWorker() {
    if (stopWorker) return;
    // Payments' consumers (couple events) and notifications' (the invoice mail).
    const notifications = MODULES.find((m) => m.name === 'notifications')!;
    const stopModules = [await paymentsModule.worker!(t.platform), await notifications.worker!(t.platform)];
    const stopBus = await t.platform.bus.start();
    stopWorker = async () => {
      await stopBus();
      for (const stop of stopModules) await stop();
    };
  }
  async function buy(userId: string, planId = 'premium-monthly') {
    const res = await call(userId, 'POST', '/v1/billing/checkout', { planId });
    assert.equal(res.statusCode, 201, res.body);
    const { url, sessionId, provider } = res.json().data;
    assert.equal(provider, 'sandbox');
    assert.equal(url, `/v1/billing/sandbox/checkout/${sessionId}`);
    return { url: url as string, sessionId: sessionId as string };
  }

  it('lists the plans with a price per currency, signed in or not', async () => {
    const res = await call(null, 'GET', '/v1/billing/plans');
    assert.equal(res.statusCode, 200, res.body);
    const plans = res.json().data as Array<{
      id: string;
      prices: Array<{ currency: string; amountMinor: number }>;
    }>;
    assert.deepEqual(
      plans.map((p) => p.id),
      ['free', 'premium-monthly', 'premium-yearly', 'lifetime'],
    );
    const monthly = plans[1]!;
    assert.deepEqual(
      monthly.prices.map((p) => p.currency),
      ['EUR', 'GBP', 'USD'],
    );
    assert.equal(monthly.prices.find((p) => p.currency === 'EUR')!.amountMinor, 799);
  });

  it('refuses bad checkouts with a 4xx and changes nothing', async () => {
    const a = newUserId();
    assert.equal(
      (await call(null, 'POST', '/v1/billing/checkout', { planId: 'premium-monthly' })).statusCode,
      401,
    );
    for (const payload of [
      { planId: 'gold' },
      { planId: 'free' },
      { planId: 'premium-monthly', currency: 'JPY' },
      { planId: 'premium-monthly', extra: true },
      { planId: 42 },
      {},
    ]) {
      const res = await call(a, 'POST', '/v1/billing/checkout', payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
    }
    const sessions = await db()
      .selectFrom('payments_checkout_sessions')
      .select('id')
      .where('user_id', '=', a)
      .execute();
    assert.deepEqual(sessions, []);
    assert.equal((await call(null, 'GET', '/v1/billing/entitlements')).statusCode, 401);
  });

  it('one sandbox subscription unlocks premium for both partners, with its events and an invoice', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    assert.equal(await premium(a), false);
    assert.equal(await premium(b), false);
    const { url, sessionId } = await buy(a);

    const page = await call(null, 'GET', url);
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /SANDBOX/);
    assert.match(page.body, /EUR 7\.99/);
    assert.match(page.body, new RegExp(`${url}/complete`));

    const done = await call(null, 'POST', `${url}/complete`);
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().data.status, 'completed');
    assert.equal((await call(null, 'POST', `${url}/complete`)).statusCode, 409);
    assert.equal((await call(null, 'POST', `${url}/fail`)).statusCode, 409);

    assert.equal(await premium(a), true);
    assert.equal(await premium(b), true);
    const mine = (await call(a, 'GET', '/v1/billing/entitlements')).json().data;
    assert.equal(mine.premium, true);
    assert.equal(mine.source, 'own');
    assert.equal(mine.subscription.planId, 'premium-monthly');
    assert.equal(mine.subscription.status, 'active');
    const theirs = (await call(b, 'GET', '/v1/billing/entitlements')).json().data;
    assert.equal(theirs.premium, true);
    assert.equal(theirs.source, 'partner');
    assert.equal(theirs.subscription, null);

    assert.equal(await events('payment.subscription-changed', a), 1);
    assert.equal(await events('payment.invoice-issued', a), 1);
    const changed = await sql<{ couple_id: string }>`select couple_id from outbox_events
      where type = 'payment.subscription-changed' and data->>'userId' = ${a}`.execute(db());
    assert.equal(changed.rows[0]!.couple_id, coupleId);

    const invoices = await call(a, 'GET', '/v1/billing/invoices');
    assert.equal(invoices.statusCode, 200);
    assert.equal(invoices.json().data.length, 1);
    assert.equal(invoices.json().data[0].totalMinor, 799);
    assert.equal((await call(b, 'GET', '/v1/billing/invoices')).json().data.length, 0);
    // The partner shares premium but does not pay: a second checkout by the payer is refused.
    assert.equal(
      (await call(a, 'POST', '/v1/billing/checkout', { planId: 'premium-yearly' })).statusCode,
      409,
    );
    assert.ok(sessionId.startsWith('cs_sandbox_'));
  });

  it('after an unlink the entitlement follows the subscriber; a new partner shares it', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const { url } = await buy(a, 'premium-yearly');
    assert.equal((await call(null, 'POST', `${url}/complete`)).statusCode, 200);
    assert.equal(await premium(b), true);

    assert.equal((await call(b, 'DELETE', '/v1/couples/me')).statusCode, 200);
    // At once, before any consumer ran: the couple is no longer active.
    assert.equal(await premium(b), false);
    assert.equal(await premium(a), true);
    await startWorker();
    await eventually(async () => {
      const row = await db()
        .selectFrom('payments_entitlements')
        .select('couple_id')
        .where('subscriber_id', '=', a)
        .executeTakeFirst();
      return row && row.couple_id === null ? true : undefined;
    }, 20_000);
    assert.equal(await premium(a), true);
    assert.equal(await premium(b), false);
    assert.equal((await call(b, 'GET', '/v1/billing/entitlements')).json().data.premium, false);

    // a links with someone new: shared at once, and filed under the new couple by the consumer.
    const c = newUserId();
    const again = await makeCouple(t, { ids: [a, c] });
    assert.notEqual(again.coupleId, coupleId);
    assert.equal(await premium(c), true);
    assert.equal(await premium(b), false);
    await eventually(async () => {
      const row = await db()
        .selectFrom('payments_entitlements')
        .select('couple_id')
        .where('subscriber_id', '=', a)
        .executeTakeFirst();
      return row?.couple_id === again.coupleId ? true : undefined;
    }, 20_000);
  });

  it('a checkout retried with the same Idempotency-Key answers the same session', async () => {
    const a = newUserId();
    const once = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/billing/checkout',
        headers: { ...as(a), 'idempotency-key': `checkout-${a}` },
        payload: { planId: 'premium-monthly' },
      });
    const first = await once();
    const second = await once();
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.json().data.sessionId, first.json().data.sessionId);
    const sessions = await db()
      .selectFrom('payments_checkout_sessions')
      .select('id')
      .where('user_id', '=', a)
      .execute();
    assert.equal(sessions.length, 1);
  });

  it('two checkouts opened side by side: only the first paid one counts', async () => {
    const a = newUserId();
    const first = await buy(a, 'premium-monthly');
    const second = await buy(a, 'premium-yearly');
    assert.equal((await call(null, 'POST', `${first.url}/complete`)).statusCode, 200);
    assert.equal((await call(null, 'POST', `${second.url}/complete`)).statusCode, 409);
    const subscriptions = await db()
      .selectFrom('payments_subscriptions')
      .select('id')
      .where('user_id', '=', a)
      .execute();
    assert.equal(subscriptions.length, 1);
    assert.equal((await call(a, 'GET', '/v1/billing/invoices/not-a-uuid.pdf')).statusCode, 400);
    assert.equal((await call(a, 'GET', '/v1/billing/invoices?cursor=eyJpZCI6Im5vcGUifQ')).statusCode, 400);
  });

  it('a failed sandbox payment grants nothing and says so', async () => {
    const a = newUserId();
    const { url } = await buy(a, 'lifetime');
    const failed = await call(null, 'POST', `${url}/fail`);
    assert.equal(failed.statusCode, 200);
    assert.equal(failed.json().data.status, 'failed');
    assert.equal(await premium(a), false);
    assert.equal(await events('payment.failed', a), 1);
    assert.equal((await call(null, 'POST', `${url}/complete`)).statusCode, 409);
    const page = await call(null, 'GET', url);
    assert.match(page.body, /failed/);
    assert.equal(
      (await call(null, 'GET', '/v1/billing/sandbox/checkout/cs_sandbox_AAAAAAAAAAAAAAAAAAAAAAAA'))
        .statusCode,
      404,
    );
    assert.equal((await call(null, 'GET', '/v1/billing/sandbox/checkout/nope')).statusCode, 400);
  });

  it('the page’s form buttons complete the payment and come back to the page', async () => {
    const a = newUserId();
    const { url } = await buy(a, 'lifetime');
    const res = await t.app.inject({
      method: 'POST',
      url: `${url}/complete`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, url);
    assert.equal(await premium(a), true);
    const entitlements = (await call(a, 'GET', '/v1/billing/entitlements')).json().data;
    assert.equal(entitlements.subscription.currentPeriodEnd, null, 'lifetime has no end');
  });

  it('serves an invoice PDF with seller, buyer, period and totals to its buyer only', async () => {
    const a = newUserId();
    const { url } = await buy(a, 'premium-yearly');
    assert.equal((await call(null, 'POST', `${url}/complete`)).statusCode, 200);
    const [invoice] = (await call(a, 'GET', '/v1/billing/invoices')).json().data;
    assert.equal(invoice.totalMinor, 5999);
    assert.equal(invoice.subtotalMinor + invoice.taxMinor, 5999);
    const res = await call(a, 'GET', invoice.pdfUrl);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const parser = new PDFParse({ data: new Uint8Array(res.rawPayload) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    assert.match(text, new RegExp(`Invoice ${invoice.number}`));
    assert.match(text, /Total: EUR 59\.99/);
    assert.match(text, new RegExp(`Subtotal: EUR ${(invoice.subtotalMinor / 100).toFixed(2)}`));
    assert.match(text, /VAT 19\.00%/);
    assert.match(text, /One 2 One Love/);
    assert.equal((await call(newUserId(), 'GET', invoice.pdfUrl)).statusCode, 404);
  });

  it('tells the buyer about each invoice through notifications', async () => {
    const { a } = await makeCouple(t);
    const { url } = await buy(a);
    assert.equal((await call(null, 'POST', `${url}/complete`)).statusCode, 200);
    const [invoice] = (await call(a, 'GET', '/v1/billing/invoices')).json().data;
    await startWorker();
    const notification = await eventually(async () => {
      const res = await call(a, 'GET', '/v1/notifications');
      return (res.json().data as Array<{ kind: string; title: string; body: string }>).find(
        (n) => n.kind === 'billing.invoice',
      );
    }, 20_000);
    assert.equal(notification.title, `Your invoice ${invoice.number}`);
    assert.match(notification.body, /EUR 7\.99 was paid/);
  });

  it('numbers invoices per seller without gaps, under concurrency and rollbacks', async () => {
    const ctx = paymentsContext(t.platform);
    const before = await db()
      .selectFrom('payments_invoice_counters')
      .select('last_number')
      .where('seller_id', '=', 'default')
      .executeTakeFirst();
    const start = Number(before?.last_number ?? 0);
    const user = newUserId();
    const attempts = Array.from({ length: 12 }, (_, i) =>
      db()
        .transaction()
        .execute(async (trx) => {
          await issueInvoice(trx, ctx, {
            userId: user,
            provider: 'sandbox',
            providerRef: `gap-test-${i % 10}`,
            subscriptionId: null,
            planId: 'premium-monthly',
            planName: 'Premium',
            currency: 'EUR',
            totalMinor: 799,
            periodStart: null,
            periodEnd: null,
          });
          if (i % 4 === 3) throw new Error('rolled back');
        })
        .catch(() => undefined),
    );
    await Promise.all(attempts);
    const rows = await db()
      .selectFrom('payments_invoices')
      .select(['sequence', 'provider_ref'])
      .where('user_id', '=', user)
      .orderBy('sequence')
      .execute();
    const sequences = rows.map((r) => Number(r.sequence));
    assert.deepEqual(
      sequences,
      sequences.map((_, i) => start + 1 + i),
      'consecutive numbers',
    );
    assert.equal(new Set(rows.map((r) => r.provider_ref)).size, rows.length, 'one invoice per paid period');
    assert.ok(rows.length >= 7 && rows.length <= 10);
  });

  it('exports and erases: subscriptions go (the partner loses premium), invoices stay', async () => {
    const { a, b } = await makeCouple(t);
    const { url } = await buy(a);
    assert.equal((await call(null, 'POST', `${url}/complete`)).statusCode, 200);
    assert.equal(await premium(b), true);
    const exported = (await paymentsModule.personalData!.export(t.platform, a)) as {
      subscriptions: unknown[];
      invoices: unknown[];
      checkoutSessions: unknown[];
    };
    assert.equal(exported.subscriptions.length, 1);
    assert.equal(exported.invoices.length, 1);
    assert.equal(exported.checkoutSessions.length, 1);
    await paymentsModule.personalData!.erase(t.platform, a);
    await paymentsModule.personalData!.erase(t.platform, a);
    assert.equal(await premium(a), false);
    assert.equal(await premium(b), false);
    const left = await db()
      .selectFrom('payments_subscriptions')
      .select('id')
      .where('user_id', '=', a)
      .execute();
    assert.deepEqual(left, []);
    const kept = await db().selectFrom('payments_invoices').select('id').where('user_id', '=', a).execute();
    assert.equal(kept.length, 1, 'invoices are kept (legal retention)');
  });
});

describe('payments in production without a provider', () => {
  let t: TestApp;
  before(async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    t = await createTestApp(
      {
        NODE_ENV: 'production',
        JWT_SIGNING_KEYS: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
      { routes: testAuth },
    );
  });
  after(async () => {
    await t.close();
  });

  it('refuses the sandbox: checkout is unavailable and its pages do not exist', async () => {
    const a = newUserId();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: as(a),
      payload: { planId: 'premium-monthly' },
    });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    const page = await t.app.inject({
      method: 'GET',
      url: '/v1/billing/sandbox/checkout/cs_sandbox_AAAAAAAAAAAAAAAAAAAAAAAA',
    });
    assert.equal(page.statusCode, 404);
  });
});
