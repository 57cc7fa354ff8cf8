import { ApiError, unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api.ts';
import { useUser } from '../auth/AuthProvider.tsx';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { Avatar } from './Avatar.tsx';
import { coupleKey, normaliseCode } from './queries.ts';
import './couple.css';

const STATUS_TEXT = {
  accepted: 'This invite has already been accepted.',
  declined: 'This invite was declined.',
  revoked: 'This invite was withdrawn by the person who made it.',
  expired: 'This invite has expired: ask for a new one.',
} as const;

/**
 * `/invite/:code`, the link the API puts in invites. Behind sign-in: a
 * signed-out visitor signs in and comes back here (RequireAuth keeps the path).
 */
export function InvitePage() {
  const code = normaliseCode(useParams().code ?? '');
  const user = useUser();
  const client = useQueryClient();
  const navigate = useNavigate();
  const invite = useQuery({
    queryKey: ['couple', 'invite', code],
    queryFn: () => unwrap(api.GET('/v1/couples/invites/{code}', { params: { path: { code } } })),
  });
  const accept = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/couples/invites/{code}/accept', { params: { path: { code } } })),
    onSuccess: (couple) => {
      client.setQueryData(coupleKey, couple);
      navigate('/notes');
    },
  });
  const decline = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/couples/invites/{code}/decline', { params: { path: { code } } })),
    onSuccess: (answer) => client.setQueryData(['couple', 'invite', code], answer),
  });

  if (invite.isPending) return <Loading />;
  if (invite.error) {
    const missing = invite.error instanceof ApiError && invite.error.status === 404;
    return (
      <Page title="Invite">
        {missing ? (
          <p className="card">There is no invite with this code. Check the link.</p>
        ) : (
          <ErrorNotice error={invite.error} />
        )}
        <p>
          <Link to="/link">Link with a code instead</Link>
        </p>
      </Page>
    );
  }
  const { inviter, status, expiresAt } = invite.data;
  const name = inviter?.displayName ?? inviter?.handle ?? 'Someone';
  const own = inviter?.id === user.id;
  return (
    <Page title={own ? 'Your invite' : `${name} invited you`}>
      <section className="card invite-card">
        {inviter && <Avatar person={inviter} />}
        <div>
          {own ? (
            <p>This is your own invite: send the link to your partner.</p>
          ) : status === 'pending' ? (
            <>
              <p>
                <strong>{name}</strong> would like to link with you as partners on One 2 One Love. You will
                share love notes, a calendar and more.
              </p>
              <p className="hint">
                Valid until{' '}
                {new Date(expiresAt).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' })}.
              </p>
            </>
          ) : (
            <p>{STATUS_TEXT[status]}</p>
          )}
        </div>
      </section>
      <ErrorNotice error={accept.error ?? decline.error} />
      {!own && status === 'pending' && (
        <div className="row">
          <button type="button" disabled={accept.isPending} onClick={() => accept.mutate()}>
            Accept and link
          </button>
          <button
            type="button"
            className="secondary"
            disabled={decline.isPending}
            onClick={() => decline.mutate()}
          >
            Decline
          </button>
        </div>
      )}
      {decline.isSuccess && (
        <p className="success" role="status">
          You declined the invite.
        </p>
      )}
    </Page>
  );
}
