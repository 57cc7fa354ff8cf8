import type { EventEnvelope } from '../../platform/bus/events.ts';
import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { paymentsConfig } from './config.ts';
import { paymentsContext } from './context.ts';
import { entitlementsOf, forgetEntitlements, onCoupleLinked, onCoupleUnlinked } from './entitlements.ts';
import { PAYMENTS_EVENTS } from './events.ts';
import { PAYMENTS_JOBS } from './jobs.ts';
import { migrations } from './migrations/index.ts';
import { paymentsPersonalData } from './personal-data.ts';
import { billingRoutes, sandboxRoutes } from './routes.ts';
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
    await app.register(billingRoutes, { ctx, stripe: undefined });
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
    platform.jobs.define('payments.reconcile', async () => {});
    return async () => {};
  },
};
