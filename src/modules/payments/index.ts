import type { EventEnvelope } from '../../platform/bus/events.ts';
import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import type { AppleProvider } from './apple.ts';
import { paymentsConfig } from './config.ts';
import { type PaymentsContext, paymentsContext } from './context.ts';
import { entitlementsOf, onCoupleEvent } from './entitlements.ts';
import { PAYMENTS_EVENTS } from './events.ts';
import { createGoogleProvider } from './google.ts';
import { PAYMENTS_JOBS } from './jobs.ts';
import { migrations } from './migrations/index.ts';
import { paymentsPersonalData } from './personal-data.ts';
import { billingRoutes, sandboxRoutes, webhookRoutes } from './routes.ts';
import type { StripeProvider } from './stripe.ts';
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

/**
 * Stripe's provider, when configured. Its SDK (about 220 modules) is loaded only then: every
 * process without Stripe, each test file among them, starts without it.
 */
async function stripeOf(ctx: PaymentsContext): Promise<StripeProvider | undefined> {
  if (!ctx.config.stripe) return undefined;
  const { createStripeProvider } = await import('./stripe.ts');
  return createStripeProvider(ctx, ctx.config.stripe);
}

/** The App Store's provider, when configured; its server library is loaded only then, as Stripe's SDK. */
async function appleOf(ctx: PaymentsContext): Promise<AppleProvider | undefined> {
  if (!ctx.config.apple) return undefined;
  const { createAppleProvider } = await import('./apple.ts');
  return createAppleProvider(ctx, ctx.config.apple);
}

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
    const stripe = await stripeOf(ctx);
    const apple = await appleOf(ctx);
    const google = ctx.config.google ? createGoogleProvider(ctx, ctx.config.google) : undefined;
    await app.register(billingRoutes, { ctx, stripe, apple, google });
    await app.register(webhookRoutes, { ctx, stripe, apple, google });
    if (platform.config.nodeEnv !== 'production') await app.register(sandboxRoutes, { ctx });
  },
  async worker(platform) {
    platform.bus.consume('payments', ['couple.linked', 'couple.unlinked'], (event, trx) =>
      onCoupleEvent(
        platform,
        event as EventEnvelope<'couple.linked' | 'couple.unlinked'>,
        trx as PaymentsTrx,
      ),
    );
    // A lost webhook never loses a paid entitlement: Stripe's undelivered events are replayed.
    const stripe = await stripeOf(paymentsContext(platform));
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
