import Stripe from 'stripe';
import { publish } from '../../platform/bus/publish.ts';
import { AppError, conflict, serviceUnavailable, validationError } from '../../platform/http/errors.ts';
import type { PaidPlanId, StripeSettings } from './config.ts';
import type { PaymentsContext } from './context.ts';
import { forgetEntitlements, sharersOf } from './entitlements.ts';
import { issueInvoice } from './invoices.ts';
import { listPlans } from './plans.ts';
import { applySubscription, firstDelivery, type ProviderSubscription } from './subscriptions.ts';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from './tables.ts';

/**
 * Stripe with its official SDK: Checkout (with a trial), the customer portal,
 * webhooks verified on the raw body, and a reconciliation that replays
 * events whose delivery failed. `STRIPE_API_URL` points the SDK elsewhere
 * (a local fake in tests).
 *
 * Webhook order is never trusted: an event only says "look again"; the
 * subscription is re-read from Stripe and stamped with the time of that
 * read, and `applySubscription` ignores a read older than the stored one.
 * An event's id is recorded in the transaction that applies it, so a
 * duplicate (or a replay by the reconciliation) changes nothing.
 */
export interface StripeProvider {
  checkout(
    userId: string,
    planId: string,
    currency: string,
  ): Promise<{ url: string; provider: 'stripe'; sessionId: string }>;
  portal(userId: string): Promise<string>;
  /** Verifies and handles a webhook delivery; `duplicate` when its event was processed already. */
  webhook(rawBody: Buffer, signature: string | undefined): Promise<{ received: true; duplicate: boolean }>;
  /** Replays the events Stripe failed to deliver; returns how many were new to us. */
  reconcile(): Promise<number>;
  /** Cancels these Stripe subscriptions now (account erasure): nobody is billed for a deleted account. */
  cancel(subscriptionIds: string[]): Promise<void>;
}

const SUBSCRIPTION_EVENTS = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.pending_update_applied',
  'customer.subscription.pending_update_expired',
  'customer.subscription.trial_will_end',
]);

function clientOptions(settings: StripeSettings): ConstructorParameters<typeof Stripe>[1] {
  const options: ConstructorParameters<typeof Stripe>[1] = { maxNetworkRetries: 2, timeout: 20_000 };
  if (settings.apiUrl) {
    const url = new URL(settings.apiUrl);
    options.host = url.hostname;
    options.protocol = url.protocol === 'http:' ? 'http' : 'https';
    options.port = url.port || (url.protocol === 'http:' ? 80 : 443);
  }
  return options;
}

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === 'string' ? value : (value?.id ?? null);

/** A Stripe outage or a network error: the caller should retry later (webhooks: Stripe does). */
function unavailable(error: unknown): never {
  if (error instanceof AppError) throw error;
  throw serviceUnavailable(60, `Stripe could not be reached: ${(error as Error).message}`);
}

export function createStripeProvider(ctx: PaymentsContext, settings: StripeSettings): StripeProvider {
  const client = new Stripe(settings.secretKey, clientOptions(settings));
  const planOfPrice = new Map(Object.entries(settings.prices).map(([plan, price]) => [price, plan]));

  const seen = async (eventId: string) =>
    (await ctx.db
      .selectFrom('payments_webhook_events')
      .select('event_id')
      .where('provider', '=', 'stripe')
      .where('event_id', '=', eventId)
      .executeTakeFirst()) !== undefined;

  /** The user's Stripe customer, when one was made for them. */
  const knownCustomer = (userId: string) =>
    ctx.db
      .selectFrom('payments_customers')
      .select('customer_id')
      .where('user_id', '=', userId)
      .where('provider', '=', 'stripe')
      .executeTakeFirst();

  async function customerOf(userId: string): Promise<string> {
    const known = await knownCustomer(userId);
    if (known) return known.customer_id;
    const customer = await client.customers
      .create({ metadata: { userId } }, { idempotencyKey: `customer-${userId}` })
      .catch(unavailable);
    await ctx.db
      .insertInto('payments_customers')
      .values({ user_id: userId, provider: 'stripe', customer_id: customer.id })
      .onConflict((oc) => oc.columns(['user_id', 'provider']).doNothing())
      .execute();
    return customer.id;
  }

  async function userOfCustomer(customerId: string | null): Promise<string | undefined> {
    if (!customerId) return undefined;
    const row = await ctx.db
      .selectFrom('payments_customers')
      .select('user_id')
      .where('provider', '=', 'stripe')
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    return row?.user_id;
  }

  /** The subscription as Stripe has it now, in our terms (undefined: not one of ours). */
  async function readSubscription(id: string): Promise<ProviderSubscription | undefined> {
    const observedAt = new Date();
    let sub: Stripe.Subscription;
    try {
      sub = await client.subscriptions.retrieve(id);
    } catch (error) {
      // Not a subscription of this account (another mode or account): nothing of ours to change.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404)
        return undefined;
      return unavailable(error);
    }
    const item = sub.items.data[0];
    const priceId = item?.price.id;
    const planId = (priceId && planOfPrice.get(priceId)) ?? sub.metadata.planId;
    const userId = sub.metadata.userId ?? (await userOfCustomer(idOf(sub.customer)));
    if (!planId || !userId) return undefined;
    const status = (SUBSCRIPTION_STATUSES as readonly string[]).includes(sub.status)
      ? (sub.status as SubscriptionStatus)
      : 'incomplete';
    return {
      provider: 'stripe',
      providerRef: sub.id,
      userId,
      planId,
      currency: sub.currency.toUpperCase(),
      status,
      currentPeriodStart: item ? new Date(item.current_period_start * 1000) : null,
      currentPeriodEnd: item ? new Date(item.current_period_end * 1000) : null,
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      observedAt,
    };
  }

  /** What an event asks us to do, read from Stripe before the transaction opens. */
  async function prepare(event: Stripe.Event) {
    // Signed by Stripe, but shaped by a future API version perhaps: read defensively.
    const object = (event.data?.object ?? {}) as unknown as Record<string, unknown>;
    if (typeof object.id !== 'string') return {};
    if (SUBSCRIPTION_EVENTS.has(event.type)) {
      return { subscription: await readSubscription(String(object.id)) };
    }
    if (event.type === 'checkout.session.completed') {
      const session = object as unknown as Stripe.Checkout.Session;
      if (session.mode === 'subscription' && session.subscription) {
        return { subscription: await readSubscription(idOf(session.subscription)!) };
      }
      if (session.mode === 'payment' && session.payment_status === 'paid') {
        return { lifetime: session };
      }
      return {};
    }
    if (event.type === 'invoice.paid' || event.type === 'invoice.payment_failed') {
      const invoice = object as unknown as Stripe.Invoice;
      const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription ?? null);
      const subscription = subscriptionId ? await readSubscription(subscriptionId) : undefined;
      return event.type === 'invoice.paid'
        ? { subscription, paid: invoice }
        : { subscription, failed: invoice };
    }
    return {};
  }

  async function process(event: Stripe.Event): Promise<boolean> {
    const work = await prepare(event);
    const plans = await listPlans(ctx);
    const planName = (id: string) => plans.find((p) => p.id === id)?.name ?? id;
    const touched = await ctx.db.transaction().execute(async (trx) => {
      if (!(await firstDelivery(trx, 'stripe', event.id, event.type))) return undefined;
      const users: string[] = [];
      let subscriptionId: string | null = null;
      if (work.subscription) {
        const { subscription } = await applySubscription(trx, work.subscription);
        subscriptionId = subscription.id;
        users.push(subscription.user_id);
      }
      if ('lifetime' in work && work.lifetime) {
        const session = work.lifetime;
        const userId = session.metadata?.userId ?? session.client_reference_id ?? undefined;
        const planId = session.metadata?.planId ?? 'lifetime';
        if (userId) {
          const now = new Date();
          const { subscription } = await applySubscription(trx, {
            provider: 'stripe',
            providerRef: session.id,
            userId,
            planId,
            currency: session.currency?.toUpperCase() ?? null,
            status: 'active',
            currentPeriodStart: now,
            currentPeriodEnd: null,
            cancelAtPeriodEnd: false,
            observedAt: now,
          });
          await issueInvoice(trx, ctx, {
            userId,
            provider: 'stripe',
            providerRef: session.id,
            subscriptionId: subscription.id,
            planId,
            planName: planName(planId),
            currency: (session.currency ?? 'eur').toUpperCase(),
            totalMinor: session.amount_total ?? 0,
            periodStart: now,
            periodEnd: null,
          });
          users.push(userId);
        }
      }
      // A trial's 0.00 invoice is not a paid period.
      if ('paid' in work && work.paid && work.paid.amount_paid > 0 && work.subscription && subscriptionId) {
        const invoice = work.paid;
        const line = invoice.lines?.data?.[0];
        await issueInvoice(trx, ctx, {
          userId: work.subscription.userId,
          provider: 'stripe',
          providerRef: invoice.id ?? event.id,
          subscriptionId,
          planId: work.subscription.planId,
          planName: planName(work.subscription.planId),
          currency: invoice.currency.toUpperCase(),
          totalMinor: invoice.amount_paid,
          periodStart: line ? new Date(line.period.start * 1000) : new Date(invoice.period_start * 1000),
          periodEnd: line ? new Date(line.period.end * 1000) : new Date(invoice.period_end * 1000),
        });
      }
      if ('failed' in work && work.failed && work.subscription) {
        await publish(
          trx,
          'payment.failed',
          {
            userId: work.subscription.userId,
            provider: 'stripe',
            subscriptionId,
            reason: 'renewal payment failed; Stripe retries it',
          },
          { actorId: work.subscription.userId },
        );
      }
      return users;
    });
    if (touched === undefined) return false;
    for (const userId of touched) await forgetEntitlements(ctx.platform, await sharersOf(ctx.db, userId));
    return true;
  }

  return {
    async checkout(userId, planId, currency) {
      const price = settings.prices[planId as PaidPlanId];
      if (!price) throw conflict(`Plan ${planId} is not on sale with Stripe (no STRIPE_PRICE_* set)`);
      const customer = await customerOf(userId);
      const lifetime = planId === 'lifetime';
      const metadata = { userId, planId };
      const session = await client.checkout.sessions
        .create({
          mode: lifetime ? 'payment' : 'subscription',
          customer,
          client_reference_id: userId,
          currency: currency.toLowerCase(),
          line_items: [{ price, quantity: 1 }],
          success_url: `${ctx.config.returnUrl}?checkout=success`,
          cancel_url: `${ctx.config.returnUrl}?checkout=cancelled`,
          metadata,
          ...(lifetime
            ? { invoice_creation: { enabled: false } }
            : {
                subscription_data: {
                  metadata,
                  ...(settings.trialDays > 0 ? { trial_period_days: settings.trialDays } : {}),
                },
              }),
        })
        .catch(unavailable);
      if (!session.url) throw serviceUnavailable(60, 'Stripe answered a checkout session without a URL');
      return { url: session.url, provider: 'stripe', sessionId: session.id };
    },

    async portal(userId) {
      const known = await knownCustomer(userId);
      if (!known) throw conflict('You have no Stripe subscription to manage');
      const session = await client.billingPortal.sessions
        .create({ customer: known.customer_id, return_url: ctx.config.returnUrl })
        .catch(unavailable);
      return session.url;
    },

    async webhook(rawBody, signature) {
      if (!settings.webhookSecret) throw serviceUnavailable(3600, 'STRIPE_WEBHOOK_SECRET is not set');
      if (!signature) throw validationError('The Stripe-Signature header is missing', 'stripe-signature');
      let event: Stripe.Event;
      try {
        // Default tolerance: 300 s. A delivery signed earlier (a replay) is refused.
        event = client.webhooks.constructEvent(rawBody, signature, settings.webhookSecret);
      } catch (error) {
        throw validationError(
          `The webhook signature is not valid: ${(error as Error).message}`,
          'stripe-signature',
        );
      }
      // A repeat is answered without asking Stripe anything (the transaction checks again).
      if (await seen(event.id)) return { received: true, duplicate: true };
      const fresh = await process(event);
      return { received: true, duplicate: !fresh };
    },

    async cancel(subscriptionIds) {
      for (const id of subscriptionIds) {
        try {
          await client.subscriptions.cancel(id);
        } catch (error) {
          // Already gone at Stripe: nothing left to bill.
          if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) continue;
          unavailable(error);
        }
      }
    },

    async reconcile() {
      let replayed = 0;
      const since = Math.floor(Date.now() / 1000) - 30 * 86_400;
      for await (const event of client.events.list({
        delivery_success: false,
        created: { gte: since },
        limit: 100,
      })) {
        if (!(await seen(event.id)) && (await process(event))) replayed++;
      }
      return replayed;
    },
  };
}
