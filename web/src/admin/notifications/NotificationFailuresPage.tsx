import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading, Page } from '../../ui/Page.tsx';
import { when } from '../format.ts';
import { pageOf } from '../paging.ts';

const CHANNELS = {
  in_app: 'In app',
  web_push: 'Web push',
  mobile_push: 'Mobile push',
  email: 'Email',
  sms: 'SMS',
};

/** /admin/notifications: deliveries that failed, across everyone, newest first. */
export function NotificationFailuresPage() {
  const failures = useInfiniteQuery({
    queryKey: ['admin', 'notification-failures'],
    queryFn: ({ pageParam }) =>
      pageOf(
        api.GET('/v1/admin/notifications/failures', {
          params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const items = failures.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Page title="Notification failures">
      {failures.isPending ? (
        <Loading />
      ) : failures.error ? (
        <ErrorNotice error={failures.error} />
      ) : items.length === 0 ? (
        <p className="card">No failed deliveries.</p>
      ) : (
        <div className="table-scroll card">
          <table>
            <caption>Failed deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Channel</th>
                <th scope="col">Kind</th>
                <th scope="col">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col">User</th>
              </tr>
            </thead>
            <tbody>
              {items.map((failure) => (
                <tr key={failure.id}>
                  <td>{when(failure.updatedAt)}</td>
                  <td>{CHANNELS[failure.channel]}</td>
                  <td>{failure.kind ?? failure.category ?? '–'}</td>
                  <td>{failure.attempts}</td>
                  <td className="wrap">{failure.lastError ?? failure.reason ?? '–'}</td>
                  <td>
                    <Link to={`/admin/users/${failure.userId}`}>Account</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {failures.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void failures.fetchNextPage()}>
          Load more
        </button>
      )}
    </Page>
  );
}
