import { unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { EntitlementsCard } from '../premium/EntitlementsCard.tsx';
import { InvoicesCard } from '../premium/InvoicesCard.tsx';
import { premiumKeys, useEntitlements } from '../premium/queries.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import '../premium/premium.css';

/** Where a payment provider sends people back (BILLING_RETURN_URL): the plan as it is now. */
export function BillingSettings() {
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const entitlements = useEntitlements();
  const outcome = params.get('checkout');
  // Coming back from a payment: what was cached before it is out of date.
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: premiumKeys.entitlements });
    void queryClient.invalidateQueries({ queryKey: premiumKeys.invoices });
  }, [queryClient]);
  const portal = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/billing/portal')),
    onSuccess: (data) => window.location.assign(data.url),
  });
  return (
    <>
      {outcome === 'success' && (
        <p className="card success" role="status">
          Thank you! Your payment went through.
        </p>
      )}
      {outcome === 'cancelled' && (
        <p className="card" role="status">
          The checkout was cancelled; nothing was charged.
        </p>
      )}
      <EntitlementsCard />
      {entitlements.data?.subscription?.provider === 'stripe' ? (
        <section className="card">
          <ErrorNotice error={portal.error} />
          <button
            type="button"
            className="secondary"
            onClick={() => portal.mutate()}
            disabled={portal.isPending}
          >
            Manage or cancel your subscription
          </button>
        </section>
      ) : (
        !entitlements.data?.premium && (
          <p>
            <Link to="/premium">See the premium plans</Link>
          </p>
        )
      )}
      <InvoicesCard />
    </>
  );
}
