import { unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api.ts';
import { useUser } from '../auth/AuthProvider.tsx';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';

export function HomePage() {
  const user = useUser();
  const couple = useQuery({
    queryKey: ['couple'],
    queryFn: () => unwrap(api.GET('/v1/couples/me')),
  });
  return (
    <Page title={`Hello, ${user.displayName ?? user.email}`}>
      {couple.isPending ? (
        <Loading />
      ) : couple.error ? (
        (couple.error as { status?: number }).status === 404 ? (
          <p className="card">
            You are not linked with a partner yet. <Link to="/link">Link with your partner</Link>
          </p>
        ) : (
          <ErrorNotice error={couple.error} />
        )
      ) : (
        <p className="card">You are linked with your partner.</p>
      )}
    </Page>
  );
}
