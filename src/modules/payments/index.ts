import type { EventEnvelope } from '../../platform/bus/events.ts';
import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { createAppleProvider } from './apple.ts';
import { paymentsConfig } from './config.ts';
import { type PaymentsContext, paymentsContext } from './context.ts';
import { entitlementsOf, forgetEntitlements, onCoupleLinked, onCoupleUnlinked } from './entitlements.ts';
import { PAYMENTS_EVENTS } from './events.ts';
import { createGoogleProvider } from './google.ts';
import { PAYMENTS_JOBS } from './jobs.ts';
import { migrations } from './migrations/index.ts';
import { paymentsPersonalData } from './personal-data.ts';
import { billingRoutes, sandboxRoutes, webhookRoutes } from './routes.ts';
import { createStripeProvider, type StripeProvider } from './stripe.ts';
import type { PaymentsTrx } from './tables.ts';

/**
 * Payments: plans, per-couple premium, checkout (Stripe, or the local
 * sandbox without credentials), provider webhooks, invoices. Other modules
 * import only this file: `entitlementsOf(platform).has(userId, 'premium')`.
 */
export { entitlementsOf };

/** The `isPremium` port other modules take in their options (ai-coach, content). */
export const isPremium = (platform: Platform, userId: string): Promise<boolean> =>
  entitlementsOf(platform).has(userId, 'premium');

const stripeOf = (ctx: PaymentsContext): StripeProvider | undefined =>
  ctx.config.stripe ? createStripeProvider(ctx, ctx.config.stripe) : undefined;

export const paymentsModule: AppModule = {
  name: 'payments',
  tablePrefix: 'payments_',
  migrations,
  events: PAYMENTS_EVENTS,
  jobs: PAYMENTS_JOBS,
  config: paymentsConfig,
  personalData: paymentsPersonalData,
  async routes(app, { platform }) {
    const ctx = paymentsContext(platform);
    const stripe = stripeOf(ctx);
    const apple = ctx.config.apple ? createAppleProvider(ctx, ctx.config.apple) : undefined;
    const google = ctx.config.google ? createGoogleProvider(ctx, ctx.config.google) : undefined;
    await app.register(billingRoutes, { ctx, stripe, apple, google });
    await app.register(webhookRoutes, { ctx, stripe, apple, google });
    if (platform.config.nodeEnv !== 'production') await app.register(sandboxRoutes, { ctx });
  },
  async worker(platform) {
    platform.bus.consume('payments', ['couple.linked', 'couple.unlinked'], async (event, trx) => {
      if (event.type === 'couple.linked') {
        const { coupleId, userIds } = (event as EventEnvelope<'couple.linked'>).data;
        await onCoupleLinked(trx as PaymentsTrx, coupleId, userIds);
        await forgetEntitlements(platform, userIds);
        return;
      }
      const { coupleId, userIds } = (event as EventEnvelope<'couple.unlinked'>).data;
      await onCoupleUnlinked(trx as PaymentsTrx, coupleId);
      await forgetEntitlements(platform, userIds);
    });
    // A lost webhook never loses a paid entitlement: Stripe's undelivered events are replayed.
    const stripe = stripeOf(paymentsContext(platform));
    platform.jobs.define('payments.reconcile', async () => {
      await stripe?.reconcile();
    });
    if (stripe) {
      platform.jobs.recurring({
        name: 'payments.reconcile',
        cron: platform.config.payments.reconcileCron,
        payload: {},
      });
    }
    return async () => {};
  },
};
