import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import Stripe from 'stripe';
import { paymentsContext } from '../../src/modules/payments/context.ts';
import { entitlementsOf, paymentsModule } from '../../src/modules/payments/index.ts';
import { createStripeProvider } from '../../src/modules/payments/stripe.ts';
import type { PaymentsDb } from '../../src/modules/payments/tables.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { type FakeStripe, startFakeStripe, stripeEvent, stripeSubscription } from '../support/stripe.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * Stripe through its official SDK against a local server speaking Stripe's
 * API; webhooks signed with the SDK's own test helper.
 */
describe('payments with Stripe', () => {
  let t: TestApp;
  let fake: FakeStripe;
  const secret = 'whsec_test_payments';
  const signer = new Stripe('sk_test_signer');
  before(async () => {
    fake = await startFakeStripe();
    t = await createTestApp(
      {
        STRIPE_SECRET_KEY: fake.secretKey,
        STRIPE_WEBHOOK_SECRET: secret,
        STRIPE_API_URL: fake.url,
        STRIPE_PRICE_PREMIUM_MONTHLY: 'price_monthly',
        STRIPE_PRICE_PREMIUM_YEARLY: 'price_yearly',
        STRIPE_PRICE_LIFETIME: 'price_lifetime',
        STRIPE_TRIAL_DAYS: '14',
      },
      { routes: testAuth },
    );
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  const db = () => t.platform.database.db as PaymentsDb;
  const premium = (userId: string) => entitlementsOf(t.platform).has(userId, 'premium');
  const call = (userId: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });

  function deliver(
    event: Record<string, unknown>,
    options: { timestamp?: number; secret?: string; signature?: string | null } = {},
  ) {
    const payload = JSON.stringify(event);
    const header =
      options.signature === undefined
        ? signer.webhooks.generateTestHeaderString({
            payload,
            secret: options.secret ?? secret,
            ...(options.timestamp ? { timestamp: options.timestamp } : {}),
          })
        : options.signature;
    return t.app.inject({
      method: 'POST',
      url: '/v1/billing/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        ...(header === null ? {} : { 'stripe-signature': header }),
      },
      payload,
    });
  }

  /** A user with a Stripe customer (through checkout) and a subscription in the fake in `status`. */
  async function subscriber(status = 'active', userId = newUserId()) {
    const res = await call(userId, 'POST', '/v1/billing/checkout', { planId: 'premium-monthly' });
    assert.equal(res.statusCode, 201, res.body);
    const customer = (
      await db()
        .selectFrom('payments_customers')
        .select('customer_id')
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
    ).customer_id;
    const sub = stripeSubscription({
      customer,
      price: 'price_monthly',
      status,
      metadata: { userId, planId: 'premium-monthly' },
    });
    fake.subscriptions.set(sub.id as string, sub);
    return { userId, sub };
  }
  const setStatus = (sub: Record<string, unknown>, status: string) => {
    sub.status = status;
    fake.subscriptions.set(sub.id as string, sub);
  };
  const count = async (table: 'payments_webhook_events' | 'payments_invoices') =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db())).rows[0]!.n;

  it('checkout: a Stripe Checkout session with the trial, the plan’s price and who pays', async () => {
    const userId = newUserId();
    const res = await call(userId, 'POST', '/v1/billing/checkout', {
      planId: 'premium-yearly',
      currency: 'EUR',
    });
    assert.equal(res.statusCode, 201, res.body);
    const { url, provider, sessionId } = res.json().data;
    assert.equal(provider, 'stripe');
    assert.equal(url, `${fake.url}/pay/${sessionId}`);
    const sent = fake.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!.body as {
      mode: string;
      currency: string;
      line_items: Array<{ price: string; quantity: string }>;
      subscription_data: { trial_period_days: string; metadata: { userId: string } };
    };
    assert.equal(sent.mode, 'subscription');
    assert.equal(sent.currency, 'eur');
    assert.deepEqual(sent.line_items, [{ price: 'price_yearly', quantity: '1' }]);
    assert.equal(sent.subscription_data.trial_period_days, '14');
    assert.equal(sent.subscription_data.metadata.userId, userId);
    // The same customer next time.
    await call(userId, 'POST', '/v1/billing/checkout', { planId: 'premium-monthly' });
    assert.equal(fake.requests.filter((r) => r.path === '/v1/customers').length >= 1, true);
    const customers = await db()
      .selectFrom('payments_customers')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    assert.equal(customers.length, 1);

    const lifetime = await call(userId, 'POST', '/v1/billing/checkout', { planId: 'lifetime' });
    assert.equal(lifetime.statusCode, 201);
    assert.equal(
      fake.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!.body.mode,
      'payment',
    );
  });

  it('portal: the customer portal of the caller’s Stripe customer; none before a checkout', async () => {
    const stranger = newUserId();
    assert.equal((await call(stranger, 'POST', '/v1/billing/portal')).statusCode, 409);
    const { userId } = await subscriber();
    const res = await call(userId, 'POST', '/v1/billing/portal');
    assert.equal(res.statusCode, 201, res.body);
    assert.match(res.json().data.url, /\/portal\/cus_/);
  });

  it('a valid webhook grants premium to both partners; a duplicate changes nothing', async () => {
    const { a, b } = await makeCouple(t);
    const { sub } = await subscriber('active', a);
    const event = stripeEvent('customer.subscription.created', sub);
    const first = await deliver(event);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json().data, { received: true, duplicate: false });
    assert.equal(await premium(a), true);
    assert.equal(await premium(b), true);

    const changes = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from outbox_events
          where type = 'payment.subscription-changed' and data->>'userId' = ${a}`.execute(db())
      ).rows[0]!.n;
    assert.equal(await changes(), 1);
    const again = await deliver(event);
    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json().data, { received: true, duplicate: true });
    assert.equal(await changes(), 1);
  });

  it('refuses a bad signature, a missing one, and a delivery replayed after 3 days', async () => {
    const { userId, sub } = await subscriber();
    const before = await count('payments_webhook_events');
    const event = stripeEvent('customer.subscription.created', sub);
    for (const res of [
      await deliver(event, { secret: 'whsec_someone_else' }),
      await deliver(event, { signature: 't=1,v1=deadbeef' }),
      await deliver(event, { signature: null }),
      await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 3 * 86_400 }),
    ]) {
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
    }
    // A body tampered with after signing.
    const payload = JSON.stringify(event);
    const header = signer.webhooks.generateTestHeaderString({ payload, secret });
    const tampered = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      payload: payload.replace('"active"', '"trialing"'),
    });
    assert.equal(tampered.statusCode, 400);
    assert.equal(await count('payments_webhook_events'), before);
    assert.equal(await premium(userId), false);
  });

  it('never trusts the order: deleted before updated ends without premium', async () => {
    const { userId, sub } = await subscriber('active');
    assert.equal((await deliver(stripeEvent('customer.subscription.created', { ...sub }))).statusCode, 200);
    assert.equal(await premium(userId), true);
    const stale = { ...sub, status: 'active' };
    setStatus(sub, 'canceled');
    // Stripe delivers the deletion first, then an older update saying "active".
    assert.equal((await deliver(stripeEvent('customer.subscription.deleted', { ...sub }))).statusCode, 200);
    assert.equal(await premium(userId), false);
    const late = await deliver(stripeEvent('customer.subscription.updated', stale, Date.now() - 60_000));
    assert.equal(late.statusCode, 200);
    assert.equal(await premium(userId), false);
    const row = await db()
      .selectFrom('payments_subscriptions')
      .select('status')
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'canceled');
  });

  it('maps every subscription state to entitlements (grace while past_due)', async () => {
    const { userId, sub } = await subscriber('incomplete');
    const expected: Array<[string, boolean, boolean]> = [
      ['incomplete', false, false],
      ['trialing', true, false],
      ['active', true, false],
      ['past_due', true, true],
      ['active', true, false],
      ['paused', false, false],
      ['active', true, false],
      ['unpaid', false, false],
      ['past_due', true, true],
      ['canceled', false, false],
      ['incomplete_expired', false, false],
    ];
    for (const [status, isPremium, grace] of expected) {
      setStatus(sub, status);
      const res = await deliver(stripeEvent('customer.subscription.updated', { ...sub }));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await premium(userId), isPremium, `${status}: premium`);
      const view = (await call(userId, 'GET', '/v1/billing/entitlements')).json().data;
      assert.equal(view.premium, isPremium, `${status}: view`);
      assert.equal(view.grace, grace, `${status}: grace`);
      assert.equal(view.subscription.status, status);
    }
  });

  it('invoice.paid issues one invoice per Stripe invoice; payment_failed keeps grace and says so', async () => {
    const { userId, sub } = await subscriber('active');
    const now = Math.floor(Date.now() / 1000);
    const invoice = {
      id: `in_${Date.now()}`,
      object: 'invoice',
      currency: 'eur',
      amount_paid: 799,
      period_start: now,
      period_end: now,
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: {} } },
      lines: {
        object: 'list',
        has_more: false,
        url: '/v1/invoices/x/lines',
        data: [{ id: 'il_1', object: 'line_item', period: { start: now, end: now + 30 * 86_400 } }],
      },
    };
    const trial = { ...invoice, id: `in_trial${Date.now()}`, amount_paid: 0 };
    assert.equal((await deliver(stripeEvent('invoice.paid', trial))).statusCode, 200);
    assert.equal(
      (await call(userId, 'GET', '/v1/billing/invoices')).json().data.length,
      0,
      'no invoice for 0.00',
    );
    assert.equal((await deliver(stripeEvent('invoice.paid', invoice))).statusCode, 200);
    assert.equal(
      (await deliver(stripeEvent('invoice.paid', invoice))).statusCode,
      200,
      'another event, same invoice',
    );
    const invoices = (await call(userId, 'GET', '/v1/billing/invoices')).json().data;
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0].totalMinor, 799);
    assert.equal(invoices[0].provider, 'stripe');
    assert.equal(await premium(userId), true, 'the invoice event re-read the subscription');

    setStatus(sub, 'past_due');
    assert.equal(
      (await deliver(stripeEvent('invoice.payment_failed', { ...invoice, id: `in_f${Date.now()}` })))
        .statusCode,
      200,
    );
    assert.equal(await premium(userId), true);
    assert.equal((await call(userId, 'GET', '/v1/billing/entitlements')).json().data.grace, true);
    const failed = await sql<{ n: number }>`select count(*)::int as n from outbox_events
      where type = 'payment.failed' and data->>'userId' = ${userId}`.execute(db());
    assert.equal(failed.rows[0]!.n, 1);
  });

  it('a paid lifetime checkout grants premium for good', async () => {
    const userId = newUserId();
    const session = {
      id: `cs_test_${Date.now()}`,
      object: 'checkout.session',
      mode: 'payment',
      payment_status: 'paid',
      currency: 'eur',
      amount_total: 14999,
      client_reference_id: userId,
      metadata: { userId, planId: 'lifetime' },
    };
    assert.equal((await deliver(stripeEvent('checkout.session.completed', session))).statusCode, 200);
    assert.equal(await premium(userId), true);
    const view = (await call(userId, 'GET', '/v1/billing/entitlements')).json().data;
    assert.equal(view.subscription.planId, 'lifetime');
    assert.equal((await call(userId, 'GET', '/v1/billing/invoices')).json().data[0].totalMinor, 14999);
  });

  it('reconciliation replays the events Stripe failed to deliver, once', async () => {
    const { userId, sub } = await subscriber('active');
    const missed = stripeEvent('customer.subscription.created', { ...sub });
    fake.undelivered.push(missed);
    assert.equal(await premium(userId), false);
    const stripe = createStripeProvider(paymentsContext(t.platform), t.platform.config.payments.stripe!);
    assert.equal(await stripe.reconcile(), 1);
    assert.equal(await premium(userId), true);
    assert.equal(await stripe.reconcile(), 0);
    // And the webhook arriving late is a duplicate.
    assert.equal((await deliver(missed)).json().data.duplicate, true);
    fake.undelivered.length = 0;
  });

  it('erasing the account cancels its live Stripe subscription', async () => {
    const { userId, sub } = await subscriber('active');
    assert.equal((await deliver(stripeEvent('customer.subscription.created', { ...sub }))).statusCode, 200);
    assert.equal(await premium(userId), true);
    await paymentsModule.personalData!.erase(t.platform, userId);
    assert.equal(fake.subscriptions.get(sub.id as string)!.status, 'canceled');
    assert.ok(fake.requests.some((r) => r.method === 'DELETE' && r.path === `/v1/subscriptions/${sub.id}`));
    assert.equal(await premium(userId), false);
  });

  it('answers 503 (Stripe retries) when Stripe cannot be reached while handling', async () => {
    const broken = stripeSubscription({
      id: 'sub_broken_1',
      customer: 'cus_x',
      price: 'price_monthly',
      status: 'active',
    });
    const event = stripeEvent('customer.subscription.updated', broken);
    const res = await deliver(event);
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    // Not recorded: Stripe's retry is processed.
    const seen = await db()
      .selectFrom('payments_webhook_events')
      .select('event_id')
      .where('event_id', '=', event.id as string)
      .execute();
    assert.deepEqual(seen, []);
    // A subscription Stripe does not know (another account or mode) is acknowledged and ignored.
    const foreign = stripeSubscription({
      id: 'sub_not_in_fake',
      customer: 'cus_x',
      price: 'price_monthly',
      status: 'active',
    });
    const ignored = await deliver(stripeEvent('customer.subscription.updated', foreign));
    assert.equal(ignored.statusCode, 200, ignored.body);
    assert.equal(ignored.json().data.duplicate, false);
  });
});
