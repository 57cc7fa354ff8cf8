import { type DataOf, unwrap } from '@one2one/client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Field } from '../../ui/Field.tsx';
import { Loading, Page } from '../../ui/Page.tsx';
import { when } from '../format.ts';
import { useDebounced } from '../useDebounced.ts';
import { UserDetails } from './UserDetails.tsx';

export type AdminUser = DataOf<'/v1/admin/users', 'get'>[number];

/** /admin/users and /admin/users/:id: find people by name, handle or id; one person's details beside. */
export function UsersPage() {
  const { id } = useParams();
  const [q, setQ] = useState('');
  const search = useDebounced(q.trim());
  const results = useQuery({
    queryKey: ['admin', 'users', 'search', search],
    queryFn: () => unwrap(api.GET('/v1/admin/users', { params: { query: { q: search, limit: 25 } } })),
    enabled: search.length > 0,
    placeholderData: keepPreviousData,
  });
  return (
    <Page title="Users">
      <form className="form card" onSubmit={(event) => event.preventDefault()}>
        <Field
          label="Search users"
          hint="A name or handle prefix, or a user id"
          type="search"
          value={q}
          onChange={(event) => setQ(event.target.value)}
          autoComplete="off"
        />
      </form>
      {search.length > 0 &&
        (results.isPending ? (
          <Loading what="Searching" />
        ) : results.error ? (
          <ErrorNotice error={results.error} />
        ) : results.data.length === 0 ? (
          <p className="card">Nobody matches “{search}”.</p>
        ) : (
          <div className="table-scroll card">
            <table>
              <caption>People matching “{search}”</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Handle</th>
                  <th scope="col">Status</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {results.data.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <Link to={`/admin/users/${user.id}`}>{user.displayName ?? 'No name'}</Link>
                    </td>
                    <td>{user.handle ? `@${user.handle}` : '–'}</td>
                    <td>
                      <StatusBadge status={user.status} />
                    </td>
                    <td>{when(user.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {id && <UserDetails id={id} />}
    </Page>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status === 'active' ? 'ok' : 'danger'}`}>{status}</span>;
}
