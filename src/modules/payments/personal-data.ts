import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { paymentsContext } from './context.ts';
import { forgetEntitlements, sharersOf } from './entitlements.ts';
import { invoiceView } from './invoices.ts';
import type { PaymentsDb } from './tables.ts';

/**
 * What payments holds about a person. Erasure deletes their checkout
 * sessions, provider customer ids, subscriptions and entitlements (so their
 * former partner loses the shared premium too); invoices are KEPT unchanged,
 * buyer name included, because tax law requires issued invoices to be
 * retained (GDPR art. 17(3)(b)); processed webhook ids hold no personal data. Live Stripe
 * subscriptions are cancelled at Stripe first (App Store ones can only be
 * cancelled by the buyer in their Apple account).
 */
export const paymentsPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as PaymentsDb;
    const [subscriptions, invoices, sessions, customers] = await Promise.all([
      db
        .selectFrom('payments_subscriptions')
        .select([
          'id',
          'provider',
          'plan_id',
          'currency',
          'status',
          'current_period_start',
          'current_period_end',
          'cancel_at_period_end',
          'created_at',
          'updated_at',
        ])
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute(),
      db.selectFrom('payments_invoices').selectAll().where('user_id', '=', userId).orderBy('id').execute(),
      db
        .selectFrom('payments_checkout_sessions')
        .select(['id', 'plan_id', 'currency', 'provider', 'status', 'created_at', 'completed_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute(),
      db
        .selectFrom('payments_customers')
        .select(['provider', 'customer_id', 'created_at'])
        .where('user_id', '=', userId)
        .execute(),
    ]);
    return {
      subscriptions,
      invoices: invoices.map((row) => ({
        ...invoiceView(row),
        buyerName: row.buyer_name,
        seller: row.seller,
      })),
      checkoutSessions: sessions,
      providerCustomers: customers,
    };
  },

  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as PaymentsDb;
    const sharers = await sharersOf(db, userId);
    // Stop the billing first: if Stripe cannot be reached the erasure fails and is retried.
    const settings = platform.config.payments.stripe;
    if (settings) {
      const live = await db
        .selectFrom('payments_subscriptions')
        .select('provider_ref')
        .where('user_id', '=', userId)
        .where('provider', '=', 'stripe')
        .where('status', 'not in', ['canceled', 'incomplete_expired'])
        .where('provider_ref', 'like', 'sub_%')
        .execute();
      // Loaded here, not at start: only a process with Stripe configured needs its SDK.
      const { createStripeProvider } = await import('./stripe.ts');
      await createStripeProvider(paymentsContext(platform), settings).cancel(
        live.map((row) => row.provider_ref),
      );
    }
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('payments_entitlements').where('subscriber_id', '=', userId).execute();
      await trx.deleteFrom('payments_subscriptions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('payments_checkout_sessions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('payments_customers').where('user_id', '=', userId).execute();
    });
    await forgetEntitlements(platform, sharers);
  },
};
