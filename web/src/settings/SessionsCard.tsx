import { type DataOf, unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';

export type SessionRow = DataOf<'/v1/auth/sessions', 'get'>[number];
export const SESSIONS = ['settings', 'sessions'] as const;

export function useSessions() {
  return useQuery({
    queryKey: SESSIONS,
    queryFn: () => unwrap(api.GET('/v1/auth/sessions', { params: { query: { limit: 50 } } })),
  });
}

const METHOD: Record<string, string> = {
  password: 'password',
  'password+totp': 'password and code',
};

/** Where this account is signed in; end one, or every other. */
export function SessionsCard() {
  const queryClient = useQueryClient();
  const sessions = useSessions();
  const refresh = () => queryClient.invalidateQueries({ queryKey: SESSIONS });
  const end = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/auth/sessions/{id}', { params: { path: { id } } })),
    onSettled: refresh,
  });
  // logout-all would end this session too: the others are ended one by one instead.
  const endOthers = useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) await unwrap(api.DELETE('/v1/auth/sessions/{id}', { params: { path: { id } } }));
    },
    onSettled: refresh,
  });

  if (sessions.isPending) return <Loading />;
  if (sessions.error) return <ErrorNotice error={sessions.error} />;
  const others = sessions.data.filter((s) => !s.current).map((s) => s.id);
  return (
    <section className="card" aria-labelledby="sessions">
      <h2 id="sessions">Where you are signed in</h2>
      <ErrorNotice error={end.error ?? endOthers.error} />
      <ul className="list sessions">
        {sessions.data.map((session) => (
          <li key={session.id} className="row">
            <div className="session-info">
              <strong>{session.current ? 'This browser' : (session.userAgent ?? 'Unknown device')}</strong>
              <small className="hint">
                {' '}
                signed in with {METHOD[session.method] ?? session.method} · {session.ip ?? 'unknown address'}{' '}
                · last used {new Date(session.lastUsedAt).toLocaleString()}
              </small>
            </div>
            {!session.current && (
              <button
                type="button"
                className="secondary"
                disabled={end.isPending}
                aria-label={`Sign out the session from ${session.userAgent ?? 'an unknown device'}, last used ${new Date(session.lastUsedAt).toLocaleString()}`}
                onClick={() => end.mutate(session.id)}
              >
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="secondary"
        disabled={others.length === 0 || endOthers.isPending}
        onClick={() => endOthers.mutate(others)}
      >
        Sign out all other sessions
      </button>
      {endOthers.isSuccess && (
        <p className="success" role="status">
          Every other session is signed out.
        </p>
      )}
    </section>
  );
}
