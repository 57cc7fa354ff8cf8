import { unwrap } from '@one2one/client';
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { EntitlementsCard } from './EntitlementsCard.tsx';
import { InvoicesCard } from './InvoicesCard.tsx';
import { type Plan, useEntitlements, usePlans } from './queries.ts';
import './premium.css';

const CURRENCIES = ['EUR', 'USD', 'GBP'];
const INTERVAL: Record<NonNullable<Plan['interval']>, string> = {
  month: 'per month',
  year: 'per year',
  lifetime: 'once',
};

/**
 * Plans, what you have, and checkout: the API answers a payment page URL (the
 * provider's, or its own sandbox page when no provider is configured) and the
 * browser goes there; the provider sends the person back to /settings/billing.
 */
export function PremiumPage() {
  const plans = usePlans();
  const entitlements = useEntitlements();
  const currencyId = useId();
  const [currency, setCurrency] = useState('EUR');
  const checkout = useMutation({
    mutationFn: (planId: string) => unwrap(api.POST('/v1/billing/checkout', { body: { planId, currency } })),
    onSuccess: (session) => window.location.assign(session.url),
  });

  return (
    <Page title="Premium">
      <EntitlementsCard />
      <section className="card" aria-labelledby="plans">
        <div className="page-header">
          <h2 id="plans">Plans</h2>
          <div className="rate">
            <label htmlFor={currencyId}>Currency</label>
            <select id={currencyId} value={currency} onChange={(event) => setCurrency(event.target.value)}>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        </div>
        <ErrorNotice error={checkout.error} />
        {plans.isPending ? (
          <Loading />
        ) : plans.error ? (
          <ErrorNotice error={plans.error} />
        ) : (
          <ul className="plans">
            {plans.data
              .filter((plan) => plan.premium)
              .map((plan) => {
                const price = plan.prices.find((p) => p.currency === currency) ?? plan.prices[0];
                return (
                  <li key={plan.id} className="plan">
                    <h3>{plan.name}</h3>
                    <p className="price">
                      {price?.display ?? '—'} <small>{plan.interval ? INTERVAL[plan.interval] : ''}</small>
                    </p>
                    {plan.trialDays > 0 && <p className="hint">{plan.trialDays}-day free trial</p>}
                    <button
                      type="button"
                      disabled={checkout.isPending || entitlements.data?.premium === true}
                      aria-label={`Choose ${plan.name}`}
                      onClick={() => checkout.mutate(plan.id)}
                    >
                      Choose
                    </button>
                  </li>
                );
              })}
          </ul>
        )}
        <p className="hint">One subscription unlocks premium for both partners.</p>
      </section>
      <InvoicesCard />
    </Page>
  );
}
