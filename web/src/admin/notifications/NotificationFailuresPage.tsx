import { unwrap } from '@one2one/client';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api.ts';
import { type Column, DataTable } from '../../ui/DataTable.tsx';
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

const QUERY_KEY = ['admin', 'notification-failures'];

function listFailures(cursor: string) {
  return pageOf(
    api.GET('/v1/admin/notifications/failures', {
      params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

type Failure = Awaited<ReturnType<typeof listFailures>>['items'][number];

const kindOf = (failure: Failure) => failure.kind ?? failure.category ?? '–';
/** What the row's button is called: the kind, channel and time, so each one is told apart. */
const retryName = (failure: Failure) =>
  `Send again: ${kindOf(failure)} by ${CHANNELS[failure.channel]}, ${when(failure.updatedAt)}`;

/** /admin/notifications: deliveries that failed, across everyone, newest first; each can be sent again. */
export function NotificationFailuresPage() {
  const queryClient = useQueryClient();
  const failures = useInfiniteQuery({
    queryKey: QUERY_KEY,
    queryFn: ({ pageParam }) => listFailures(pageParam),
    initialPageParam: '',
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const [outcome, setOutcome] = useState<string | null>(null);
  // A fresh set of attempts (POST …/retry); the delivery leaves this list as it goes back in line.
  const retry = useMutation({
    mutationFn: (failure: Failure) =>
      unwrap(
        api.POST('/v1/admin/notifications/failures/{id}/retry', {
          params: { path: { id: failure.id } },
        }),
      ),
    onSuccess: (_delivery, failure) => {
      setOutcome(`Sending the ${kindOf(failure)} notification by ${CHANNELS[failure.channel]} again.`);
      return queryClient.invalidateQueries({ queryKey: QUERY_KEY });
    },
  });
  const columns: ReadonlyArray<Column<Failure>> = [
    { header: 'When', rowHeader: true, cell: (failure) => when(failure.updatedAt) },
    { header: 'Channel', cell: (failure) => CHANNELS[failure.channel] },
    { header: 'Kind', cell: kindOf },
    { header: 'Attempts', cell: (failure) => failure.attempts },
    { header: 'Error', className: 'wrap', cell: (failure) => failure.lastError ?? failure.reason ?? '–' },
    { header: 'User', cell: (failure) => <Link to={`/admin/users/${failure.userId}`}>Account</Link> },
    {
      header: 'Action',
      cell: (failure) => (
        <button
          type="button"
          className="secondary"
          aria-label={retryName(failure)}
          disabled={retry.isPending && retry.variables?.id === failure.id}
          onClick={() => retry.mutate(failure)}
        >
          Send again
        </button>
      ),
    },
  ];
  const items = failures.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Page title="Notification failures">
      <div aria-live="polite">{outcome && <p className="success">{outcome}</p>}</div>
      <ErrorNotice error={retry.error} />
      {failures.isPending ? (
        <Loading />
      ) : failures.error ? (
        <ErrorNotice error={failures.error} />
      ) : items.length === 0 ? (
        <p className="card">No failed deliveries.</p>
      ) : (
        <div className="table-scroll card">
          <DataTable
            caption="Failed deliveries, newest first"
            columns={columns}
            rows={items}
            rowKey={(failure) => failure.id}
          />
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
