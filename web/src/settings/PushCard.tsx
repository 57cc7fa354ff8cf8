import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { currentPushSubscription, pushSupported, subscribeToPush, unsubscribeFromPush } from './push.ts';

const PUSH = ['settings', 'push'] as const;

/** Web Push for this browser: on or off, through the service worker. */
export function PushCard() {
  const queryClient = useQueryClient();
  const subscription = useQuery({
    queryKey: PUSH,
    queryFn: async () => Boolean(await currentPushSubscription()),
  });
  const done = () => queryClient.invalidateQueries({ queryKey: PUSH });
  const on = useMutation({ mutationFn: subscribeToPush, onSettled: done });
  const off = useMutation({ mutationFn: unsubscribeFromPush, onSettled: done });

  return (
    <section className="card" aria-labelledby="push">
      <h2 id="push">Notifications in this browser</h2>
      {!pushSupported() ? (
        <p className="hint">This browser cannot receive push notifications.</p>
      ) : (
        <>
          <p role="status">
            {subscription.data
              ? 'This browser receives push notifications.'
              : 'Push notifications are off in this browser.'}
          </p>
          <ErrorNotice error={on.error ?? off.error} />
          {subscription.data ? (
            <button type="button" className="secondary" disabled={off.isPending} onClick={() => off.mutate()}>
              Turn off push notifications
            </button>
          ) : (
            <button
              type="button"
              disabled={on.isPending || subscription.isPending}
              onClick={() => on.mutate()}
            >
              Turn on push notifications
            </button>
          )}
        </>
      )}
    </section>
  );
}
