import { sql } from 'kysely';
import { publish } from '../../platform/bus/publish.ts';
import { newId } from '../../platform/ids.ts';
import { activeCoupleOf } from '../couples/index.ts';
import { entitlementOf } from './entitlements.ts';
import type { PaymentsTrx, Provider, SubscriptionRow, SubscriptionStatus } from './tables.ts';

/** A subscription as a provider reports it, in our terms. */
export interface ProviderSubscription {
  provider: Provider;
  /** The provider's id: Stripe `sub_...`, Apple's original transaction id, the sandbox session. */
  providerRef: string;
  userId: string;
  planId: string;
  currency: string | null;
  status: SubscriptionStatus;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** When the provider's state was read: an older report never overwrites a newer one. */
  observedAt: Date;
  /** Premium ends then whatever the status says (app stores' expiry; null: the status decides). */
  expiresAt?: Date | null;
}

export interface Applied {
  subscription: SubscriptionRow;
  /** Whether the stored state moved (false: a stale or repeated report). */
  changed: boolean;
}

/**
 * The one way a subscription's state lands, whatever the provider: the
 * subscription row, its premium entitlement (shared with the subscriber's
 * couple) and `payment.subscription-changed`, in the caller's transaction.
 * The row is locked, so two reports of one subscription apply one after the
 * other; a report older than the stored one is ignored.
 */
export async function applySubscription(trx: PaymentsTrx, report: ProviderSubscription): Promise<Applied> {
  // Also serialises two first reports of a subscription that has no row to lock yet.
  await sql`select pg_advisory_xact_lock(hashtext(${`payments:${report.provider}:${report.providerRef}`}))`.execute(
    trx,
  );
  const existing = await trx
    .selectFrom('payments_subscriptions')
    .selectAll()
    .where('provider', '=', report.provider)
    .where('provider_ref', '=', report.providerRef)
    .forUpdate()
    .executeTakeFirst();
  if (existing && existing.provider_updated_at.getTime() > report.observedAt.getTime()) {
    return { subscription: existing, changed: false };
  }
  const values = {
    plan_id: report.planId,
    currency: report.currency,
    status: report.status,
    current_period_start: report.currentPeriodStart,
    current_period_end: report.currentPeriodEnd,
    cancel_at_period_end: report.cancelAtPeriodEnd,
    provider_updated_at: report.observedAt,
    updated_at: new Date(),
  };
  const subscription = existing
    ? await trx
        .updateTable('payments_subscriptions')
        .set(values)
        .where('user_id', '=', existing.user_id)
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow()
    : await trx
        .insertInto('payments_subscriptions')
        .values({
          ...values,
          user_id: report.userId,
          id: newId(),
          provider: report.provider,
          provider_ref: report.providerRef,
        })
        .returningAll()
        .executeTakeFirstOrThrow();

  const state = entitlementOf(report.status);
  const couple = await activeCoupleOf(trx, subscription.user_id);
  const before = await trx
    .selectFrom('payments_entitlements')
    .select(['state', 'expires_at'])
    .where('subscriber_id', '=', subscription.user_id)
    .where('subscription_id', '=', subscription.id)
    .where('feature', '=', 'premium')
    .executeTakeFirst();
  await trx
    .insertInto('payments_entitlements')
    .values({
      subscriber_id: subscription.user_id,
      subscription_id: subscription.id,
      feature: 'premium',
      state,
      couple_id: couple?.coupleId ?? null,
      expires_at: report.expiresAt ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['subscriber_id', 'subscription_id', 'feature']).doUpdateSet({
        state,
        couple_id: couple?.coupleId ?? null,
        expires_at: report.expiresAt ?? null,
        updated_at: new Date(),
      }),
    )
    .execute();

  const changed =
    !existing ||
    existing.status !== subscription.status ||
    existing.plan_id !== subscription.plan_id ||
    before?.state !== state ||
    (before?.expires_at?.getTime() ?? null) !== (report.expiresAt?.getTime() ?? null);
  if (changed) {
    await publish(
      trx,
      'payment.subscription-changed',
      {
        subscriptionId: subscription.id,
        userId: subscription.user_id,
        coupleId: couple?.coupleId ?? null,
        provider: subscription.provider,
        planId: subscription.plan_id,
        status: subscription.status,
        previousStatus: existing?.status ?? null,
        premium: state !== 'inactive',
        grace: state === 'grace',
      },
      { actorId: subscription.user_id, coupleId: couple?.coupleId ?? null },
    );
  }
  return { subscription, changed };
}

/** Records a provider's event id; false when it was already processed (a duplicate delivery). */
export async function firstDelivery(
  trx: PaymentsTrx,
  provider: Provider,
  eventId: string,
  type: string,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('payments_webhook_events')
    .values({ provider, event_id: eventId, type })
    .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}
