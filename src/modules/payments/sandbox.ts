import { randomBytes } from 'node:crypto';
import { publish } from '../../platform/bus/publish.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import type { PaymentsContext } from './context.ts';
import { forgetEntitlements, premiumSources, sharersOf } from './entitlements.ts';
import { formatMoney, issueInvoice } from './invoices.ts';
import { buyablePlan, listPlans } from './plans.ts';
import { applySubscription } from './subscriptions.ts';
import type { PaymentsTrx, SessionRow } from './tables.ts';

/**
 * The sandbox provider: what a fresh install without payment credentials
 * uses to exercise premium. Checkout answers a local page whose buttons
 * complete or fail the payment; completion goes through the same
 * `applySubscription` and `issueInvoice` as a real payment, so it emits the
 * same events and grants the same entitlements. Never mounted in production.
 */

export const sandboxPagePath = (sessionId: string) => `/v1/billing/sandbox/checkout/${sessionId}`;

export async function createSandboxSession(
  ctx: PaymentsContext,
  userId: string,
  planId: string,
  currency: string,
): Promise<SessionRow> {
  return ctx.db
    .insertInto('payments_checkout_sessions')
    .values({
      id: `cs_sandbox_${randomBytes(18).toString('base64url')}`,
      user_id: userId,
      plan_id: planId,
      currency,
      provider: 'sandbox',
      status: 'open',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function sessionOf(ctx: PaymentsContext, sessionId: string): Promise<SessionRow> {
  const session = await ctx.db
    .selectFrom('payments_checkout_sessions')
    .selectAll()
    .where('id', '=', sessionId)
    .where('provider', '=', 'sandbox')
    .executeTakeFirst();
  if (!session) throw notFound('Checkout session', sessionId);
  return session;
}

const addInterval = (from: Date, interval: 'month' | 'year') => {
  const end = new Date(from);
  if (interval === 'month') end.setUTCMonth(end.getUTCMonth() + 1);
  else end.setUTCFullYear(end.getUTCFullYear() + 1);
  return end;
};

export interface SessionOutcome {
  sessionId: string;
  status: 'open' | 'completed' | 'failed';
  subscriptionId: string | null;
}

const outcome = (session: SessionRow): SessionOutcome => ({
  sessionId: session.id,
  status: session.status,
  subscriptionId: session.subscription_id,
});

/** The sandbox checkout session, locked for the transaction; 404 when unknown, 409 once completed or failed. */
async function lockOpenSession(trx: PaymentsTrx, sessionId: string): Promise<SessionRow> {
  const session = await trx
    .selectFrom('payments_checkout_sessions')
    .selectAll()
    .where('id', '=', sessionId)
    .where('provider', '=', 'sandbox')
    .forUpdate()
    .executeTakeFirst();
  if (!session) throw notFound('Checkout session', sessionId);
  if (session.status !== 'open') throw conflict(`This checkout is already ${session.status}`);
  return session;
}

/** The buyer pays: subscription, entitlement, invoice and their events, in one transaction. */
export async function completeSandbox(ctx: PaymentsContext, sessionId: string): Promise<SessionOutcome> {
  const done = await ctx.db.transaction().execute(async (trx) => {
    const session = await lockOpenSession(trx, sessionId);
    // Two checkouts opened side by side: only the first one paid counts.
    if ((await premiumSources(trx, session.user_id, null)).length > 0) {
      throw conflict('You already pay for premium');
    }
    const { plan, price } = await buyablePlan(ctx, session.plan_id, session.currency);
    const start = new Date();
    const end =
      plan.interval === 'month' || plan.interval === 'year' ? addInterval(start, plan.interval) : null;
    const { subscription } = await applySubscription(trx, {
      provider: 'sandbox',
      providerRef: session.id,
      userId: session.user_id,
      planId: plan.id,
      currency: session.currency,
      status: 'active',
      currentPeriodStart: start,
      currentPeriodEnd: end,
      cancelAtPeriodEnd: false,
      observedAt: start,
    });
    await issueInvoice(trx, ctx, {
      userId: session.user_id,
      provider: 'sandbox',
      providerRef: session.id,
      subscriptionId: subscription.id,
      planId: plan.id,
      planName: `${plan.name} (sandbox)`,
      currency: session.currency,
      totalMinor: price.amountMinor,
      periodStart: start,
      periodEnd: end,
    });
    return trx
      .updateTable('payments_checkout_sessions')
      .set({ status: 'completed', subscription_id: subscription.id, completed_at: start })
      .where('id', '=', session.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  await forgetEntitlements(ctx.platform, await sharersOf(ctx.db, done.user_id));
  return outcome(done);
}

/** The buyer's payment fails: nothing is granted; `payment.failed` says so. */
export async function failSandbox(ctx: PaymentsContext, sessionId: string): Promise<SessionOutcome> {
  const failed = await ctx.db.transaction().execute(async (trx) => {
    const session = await lockOpenSession(trx, sessionId);
    await publish(
      trx,
      'payment.failed',
      { userId: session.user_id, provider: 'sandbox', subscriptionId: null, reason: 'sandbox: declined' },
      { actorId: session.user_id },
    );
    return trx
      .updateTable('payments_checkout_sessions')
      .set({ status: 'failed', completed_at: new Date() })
      .where('id', '=', session.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return outcome(failed);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The local checkout page: plan, price, and two buttons (plain forms, no script). */
export async function sandboxPage(ctx: PaymentsContext, sessionId: string): Promise<string> {
  const session = await sessionOf(ctx, sessionId);
  const plan = (await listPlans(ctx)).find((p) => p.id === session.plan_id);
  const price = plan?.prices.find((p) => p.currency === session.currency);
  const action = (what: string) => escapeHtml(`${sandboxPagePath(session.id)}/${what}`);
  const body =
    session.status === 'open'
      ? `<form method="post" action="${action('complete')}"><button type="submit">Pay (sandbox)</button></form>
<form method="post" action="${action('fail')}"><button type="submit">Fail the payment</button></form>`
      : `<p>This checkout is <strong>${escapeHtml(session.status)}</strong>. You can close this window.</p>
<p><a href="${escapeHtml(ctx.config.returnUrl)}">Back to the app</a></p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SANDBOX checkout</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:2rem auto}.banner{background:#b00020;color:#fff;padding:.75rem;font-weight:bold}form{display:inline-block;margin:.5rem}</style></head>
<body><div class="banner">SANDBOX: no real payment is made. Not available in production.</div>
<h1>${escapeHtml(plan?.name ?? session.plan_id)}</h1>
<p>${escapeHtml(price ? formatMoney(price.amountMinor, price.currency) : session.currency)}</p>
${body}
</body></html>`;
}
