import { conflict, serviceUnavailable } from '../../platform/http/errors.ts';
import { cachedActiveCoupleOf } from '../couples/index.ts';
import type { PaymentsContext } from './context.ts';
import { premiumSources } from './entitlements.ts';
import { buyablePlan } from './plans.ts';
import { createSandboxSession, sandboxPagePath } from './sandbox.ts';

/** The caller's entitlements: premium, from whom, and their own latest subscription. */
export async function myEntitlements(ctx: PaymentsContext, userId: string) {
  const couple = await cachedActiveCoupleOf(ctx.platform, userId);
  const sources = await premiumSources(ctx.db, userId, couple);
  const best = sources[0];
  const own = await ctx.db
    .selectFrom('payments_subscriptions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    premium: best !== undefined,
    features: best ? ['premium' as const] : [],
    source: best ? (best.subscriberId === userId ? ('own' as const) : ('partner' as const)) : null,
    grace: best?.state === 'grace',
    expiresAt: best?.expiresAt?.toISOString() ?? null,
    subscription: own
      ? {
          id: own.id,
          provider: own.provider,
          planId: own.plan_id,
          status: own.status,
          currentPeriodEnd: own.current_period_end?.toISOString() ?? null,
          cancelAtPeriodEnd: own.cancel_at_period_end,
        }
      : null,
  };
}

/** Whether the caller pays for premium already (their own subscription, not their partner's). */
async function ownsPremium(ctx: PaymentsContext, userId: string): Promise<boolean> {
  const sources = await premiumSources(ctx.db, userId, null);
  return sources.length > 0;
}

export interface CheckoutAnswer {
  url: string;
  provider: 'sandbox' | 'stripe';
  sessionId: string;
}

/** Starts a checkout with the configured provider; the client opens `url`. */
export async function checkout(
  ctx: PaymentsContext,
  userId: string,
  input: { planId: string; currency?: string },
  start: { stripe: (plan: string, currency: string) => Promise<CheckoutAnswer> },
): Promise<CheckoutAnswer> {
  const { plan, price } = await buyablePlan(ctx, input.planId, input.currency);
  if (await ownsPremium(ctx, userId)) throw conflict('You already pay for premium');
  if (ctx.config.provider === 'stripe') return start.stripe(plan.id, price.currency);
  if (ctx.platform.config.nodeEnv === 'production') {
    throw serviceUnavailable(3600, 'No payment provider is configured (the sandbox is off in production)');
  }
  const session = await createSandboxSession(ctx, userId, plan.id, price.currency);
  return {
    url: `${ctx.platform.config.publicUrl ?? ''}${sandboxPagePath(session.id)}`,
    provider: 'sandbox',
    sessionId: session.id,
  };
}
