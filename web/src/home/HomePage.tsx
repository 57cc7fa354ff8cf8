import { ApiError, unwrap } from '@one2one/client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api.ts';
import { useUser } from '../auth/AuthProvider.tsx';
import { useLiveEvents } from '../realtime/useLiveEvents.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { Dashboard } from './Dashboard.tsx';
import './home.css';

export function HomePage() {
  const user = useUser();
  const queryClient = useQueryClient();
  const couple = useQuery({
    queryKey: ['couple'],
    queryFn: () => unwrap(api.GET('/v1/couples/me')),
  });
  // A new notification, or a partner's answer, changes what the dashboard shows.
  useLiveEvents((event) => {
    if (event.type === 'notification.created') void queryClient.invalidateQueries({ queryKey: ['home'] });
    if (event.type === 'questions.partner-answered')
      void queryClient.invalidateQueries({ queryKey: ['questions', 'today'] });
  });
  const unlinked =
    couple.error instanceof ApiError && couple.error.status === 404
      ? true
      : couple.data
        ? couple.data.status !== 'active'
        : false;
  return (
    <Page title={`Hello, ${user.displayName ?? user.email}`}>
      {couple.isPending ? (
        <Loading />
      ) : unlinked ? (
        <section className="card link-call" aria-labelledby="link-title">
          <h2 id="link-title">Link with your partner</h2>
          <p>
            Love notes, your shared calendar and the daily question start once the two of you are linked.
            Share your code, or enter theirs.
          </p>
          <Link className="button-link" to="/link">
            Link with your partner
          </Link>
        </section>
      ) : couple.error || !couple.data ? (
        <ErrorNotice error={couple.error} />
      ) : (
        <Dashboard couple={couple.data} />
      )}
    </Page>
  );
}
