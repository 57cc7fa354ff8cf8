import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';
import { useEntitlements } from './queries.ts';

const date = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : null);

/** Whether premium is on, where it comes from and until when. */
export function EntitlementsCard() {
  const entitlements = useEntitlements();
  return (
    <section className="card" aria-labelledby="entitlements">
      <h2 id="entitlements">Your plan</h2>
      {entitlements.isPending ? (
        <Loading />
      ) : entitlements.error ? (
        <ErrorNotice error={entitlements.error} />
      ) : entitlements.data.premium ? (
        <>
          <p className="success">
            <strong>Premium is active</strong>
            {entitlements.data.source === 'partner' ? ', shared by your partner' : ''}.
          </p>
          {entitlements.data.grace && (
            <p className="error">A payment failed and is being retried; premium stays on meanwhile.</p>
          )}
          <p>
            Unlocked: {entitlements.data.features.join(', ')}
            {entitlements.data.expiresAt ? ` · until ${date(entitlements.data.expiresAt)}` : ' · no end date'}
          </p>
          {entitlements.data.subscription && (
            <p className="hint">
              Plan {entitlements.data.subscription.planId} ({entitlements.data.subscription.provider}),{' '}
              {entitlements.data.subscription.status.replace(/_/g, ' ')}
              {entitlements.data.subscription.cancelAtPeriodEnd ? ', ends at the end of the period' : ''}.
            </p>
          )}
        </>
      ) : (
        <p>
          You are on the free plan. Premium unlocks every article, episode and more coach time, for both of
          you.
        </p>
      )}
    </section>
  );
}
