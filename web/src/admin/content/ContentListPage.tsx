import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading, Page } from '../../ui/Page.tsx';
import { when } from '../format.ts';
import { pageOf } from '../paging.ts';
import { type ContentStatus, STATUSES, TYPES } from './content-types.ts';

/** /admin/content: every item in any status, filtered by status; editors and admins. */
export function ContentListPage() {
  const [status, setStatus] = useState<ContentStatus | null>(null);
  const items = useInfiniteQuery({
    queryKey: ['admin', 'content', 'list', status],
    queryFn: ({ pageParam }) =>
      pageOf(
        api.GET('/v1/admin/content', {
          params: {
            query: { limit: 50, ...(status ? { status } : {}), ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const list = items.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Page
      title="Content"
      actions={
        <Link className="button-link" to="/admin/content/new">
          New item
        </Link>
      }
    >
      <fieldset className="tabs">
        <legend className="visually-hidden">Show items by status</legend>
        {[null, ...STATUSES].map((option) => (
          <button
            key={option ?? 'all'}
            type="button"
            className={status === option ? undefined : 'secondary'}
            aria-pressed={status === option}
            onClick={() => setStatus(option)}
          >
            {option ? option[0]?.toUpperCase() + option.slice(1) : 'All'}
          </button>
        ))}
      </fieldset>
      {items.isPending ? (
        <Loading />
      ) : items.error ? (
        <ErrorNotice error={items.error} />
      ) : list.length === 0 ? (
        <p className="card">Nothing {status ? `with the status ${status}` : 'yet'}.</p>
      ) : (
        <div className="table-scroll card">
          <table>
            <caption>{status ? `Items with the status ${status}` : 'Every item'}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Publishes / published</th>
                <th scope="col">Last change</th>
              </tr>
            </thead>
            <tbody>
              {list.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/admin/content/${item.id}`}>{item.title}</Link>
                  </td>
                  <td>{TYPES[item.type]}</td>
                  <td>
                    <span className={`badge badge-${item.status}`}>{item.status}</span>
                  </td>
                  <td>{when(item.publishedAt)}</td>
                  <td>{when(item.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void items.fetchNextPage()}>
          Load more
        </button>
      )}
    </Page>
  );
}
