import { unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { TextArea } from '../../ui/Field.tsx';
import { Loading } from '../../ui/Page.tsx';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { when } from '../format.ts';
import { type AdminUser, StatusBadge } from './UsersPage.tsx';

/** One person as the admin API sees them, with suspend / unsuspend behind a confirmation. */
export function UserDetails({ id }: { id: string }) {
  const queryClient = useQueryClient();
  // The lookup accepts an id as well as a name prefix: one exact match.
  const user = useQuery({
    queryKey: ['admin', 'users', 'one', id],
    queryFn: async () => {
      const found = await unwrap(api.GET('/v1/admin/users', { params: { query: { q: id, limit: 1 } } }));
      return found.find((candidate) => candidate.id === id) ?? null;
    },
  });
  const [asking, setAsking] = useState<'suspend' | 'unsuspend' | null>(null);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (action: 'suspend' | 'unsuspend') =>
      action === 'suspend'
        ? unwrap(
            api.POST('/v1/admin/users/{id}/suspend', {
              params: { path: { id } },
              body: reason.trim() ? { reason: reason.trim() } : {},
            }),
          )
        : unwrap(api.POST('/v1/admin/users/{id}/unsuspend', { params: { path: { id } } })),
    onSuccess: (updated: AdminUser) => {
      queryClient.setQueryData(['admin', 'users', 'one', id], updated);
      void queryClient.invalidateQueries({ queryKey: ['admin', 'users', 'search'] });
      setDone(updated.status === 'suspended' ? 'The account is suspended.' : 'The suspension is lifted.');
      setAsking(null);
      setReason('');
    },
  });

  if (user.isPending) return <Loading what="Loading the account" />;
  if (user.error) return <ErrorNotice error={user.error} />;
  const person = user.data;
  if (!person) return <p className="card">No account has the id {id}.</p>;
  const suspended = person.status === 'suspended';
  return (
    <section className="card" aria-labelledby="user-details-title">
      <h2 id="user-details-title">{person.displayName ?? 'No name'}</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={person.status} />
        </dd>
        <dt>Handle</dt>
        <dd>{person.handle ? `@${person.handle}` : '–'}</dd>
        <dt>User id</dt>
        <dd className="mono">{person.id}</dd>
        <dt>Joined</dt>
        <dd>{when(person.createdAt)}</dd>
        <dt>Time zone, locale</dt>
        <dd>
          {person.timeZone}, {person.locale}
        </dd>
        {suspended && (
          <>
            <dt>Suspended</dt>
            <dd>{when(person.suspendedAt)}</dd>
            <dt>Reason</dt>
            <dd>{person.suspensionReason ?? 'None given'}</dd>
          </>
        )}
      </dl>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <ErrorNotice error={change.error} />
      {suspended ? (
        <button type="button" className="secondary" onClick={() => setAsking('unsuspend')}>
          Lift suspension
        </button>
      ) : (
        <button type="button" className="danger" onClick={() => setAsking('suspend')}>
          Suspend
        </button>
      )}
      <ConfirmDialog
        open={asking === 'suspend'}
        title={`Suspend ${person.displayName ?? 'this account'}?`}
        confirmLabel="Suspend account"
        danger
        busy={change.isPending}
        onConfirm={() => change.mutate('suspend')}
        onCancel={() => setAsking(null)}
      >
        <p>Their sessions end and they cannot use the app until the suspension is lifted.</p>
        <TextArea
          label="Reason"
          value={reason}
          maxLength={500}
          rows={3}
          onChange={(event) => setReason(event.target.value)}
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={asking === 'unsuspend'}
        title={`Lift the suspension of ${person.displayName ?? 'this account'}?`}
        confirmLabel="Lift suspension"
        busy={change.isPending}
        onConfirm={() => change.mutate('unsuspend')}
        onCancel={() => setAsking(null)}
      >
        <p>They can sign in again.</p>
      </ConfirmDialog>
    </section>
  );
}
