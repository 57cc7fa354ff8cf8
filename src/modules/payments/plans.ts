import { validationError } from '../../platform/http/errors.ts';
import type { PaymentsContext } from './context.ts';
import { formatMoney } from './invoices.ts';

export interface PlanRow {
  id: string;
  name: string;
  interval: 'month' | 'year' | 'lifetime' | null;
  trialDays: number;
  premium: boolean;
  prices: Array<{ currency: string; amountMinor: number; display: string }>;
}

/** Every plan with its prices, cheapest first (a small reference table seeded by the migration). */
export async function listPlans(ctx: PaymentsContext): Promise<PlanRow[]> {
  const [plans, prices] = await Promise.all([
    ctx.db.selectFrom('payments_plans').selectAll().orderBy('sort').execute(),
    ctx.db.selectFrom('payments_plan_prices').selectAll().orderBy('currency').execute(),
  ]);
  return plans.map((plan) => ({
    id: plan.id,
    name: plan.name,
    interval: plan.interval,
    trialDays:
      ctx.config.stripe && plan.interval !== 'lifetime' ? ctx.config.stripe.trialDays : plan.trial_days,
    premium: plan.premium,
    prices: prices
      .filter((price) => price.plan_id === plan.id)
      .map((price) => ({
        currency: price.currency,
        amountMinor: price.amount_minor,
        display: formatMoney(price.amount_minor, price.currency),
      })),
  }));
}

/** A plan someone can buy, at its price in that currency; 400 otherwise. */
export async function buyablePlan(ctx: PaymentsContext, planId: string, currency: string | undefined) {
  const plan = (await listPlans(ctx)).find((p) => p.id === planId);
  if (!plan) throw validationError(`There is no plan ${planId}`, 'planId');
  if (!plan.premium) throw validationError('The free plan needs no checkout', 'planId');
  const wanted = currency ?? ctx.config.defaultCurrency;
  const price = plan.prices.find((p) => p.currency === wanted);
  if (!price) throw validationError(`Plan ${planId} has no price in ${wanted}`, 'currency');
  return { plan, price };
}
