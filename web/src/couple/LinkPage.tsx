import { unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { Navigate } from 'react-router';
import { api } from '../api.ts';
import { useLiveEvents } from '../realtime/useLiveEvents.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { CopyButton } from './CopyButton.tsx';
import { coupleKey, normaliseCode, useCouple } from './queries.ts';
import './couple.css';

/** `/link`: make an invite to share, or type the code a partner shared. */
export function LinkPage() {
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const invite = useMutation({ mutationFn: () => unwrap(api.POST('/v1/couples/invites')) });
  // While a code waits for the partner, a slow poll backs up the live event (notifications are not replayed).
  const { state, query } = useCouple(invite.data ? 15_000 : false);
  const accept = useMutation({
    mutationFn: (text: string) =>
      unwrap(api.POST('/v1/couples/invites/{code}/accept', { params: { path: { code: text } } })),
    onSuccess: (couple) => client.setQueryData(coupleKey, couple),
  });

  // The inviter hears of the link live (the notifications module's `couple.linked`).
  useLiveEvents((event) => {
    if (event.type !== 'notification.created') return;
    if ((event.data as { kind?: string }).kind !== 'couple.linked') return;
    void client.invalidateQueries({ queryKey: coupleKey });
  });

  // Linked during this visit: on to the notes. Already linked when the page opened: the couple's page.
  const unlinkedHere = useRef(false);
  if (state === 'none' || state === 'closed') unlinkedHere.current = true;
  if (state === 'loading') return <Loading />;
  if (state === 'active') return <Navigate to={unlinkedHere.current ? '/notes' : '/couple'} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    accept.mutate(normaliseCode(code));
  }

  return (
    <Page title="Link with your partner">
      {state === 'error' && <ErrorNotice error={query.error} />}
      {state === 'closed' && (
        <p className="card">
          Your last couple link has ended. You can link again, with the same person or someone new.
        </p>
      )}
      <div className="link-options">
        <section className="card" aria-labelledby="invite-heading">
          <h2 id="invite-heading">Invite your partner</h2>
          {invite.data ? (
            <div className="invite">
              <p>Give your partner this code, or send them the link. It works for 7 days.</p>
              <p>
                Your code: <strong className="invite-code">{invite.data.code}</strong>
              </p>
              <Field
                label="Invite link"
                value={invite.data.url}
                readOnly
                onFocus={(e) => e.currentTarget.select()}
              />
              <div className="row">
                <CopyButton text={invite.data.url} label="Copy link" />
                <CopyButton text={invite.data.code} label="Copy code" />
              </div>
              <p className="hint" role="status">
                Waiting for your partner… this page moves on by itself once they accept.
              </p>
            </div>
          ) : (
            <p>Create a code and share it with your partner: they type it in, or open the link.</p>
          )}
          <ErrorNotice error={invite.error} />
          <button
            type="button"
            className={invite.data ? 'secondary' : undefined}
            disabled={invite.isPending}
            onClick={() => invite.mutate()}
          >
            {invite.data ? 'Make a new code' : 'Create an invite code'}
          </button>
        </section>

        <section className="card" aria-labelledby="accept-heading">
          <h2 id="accept-heading">Have a code?</h2>
          <form className="form" onSubmit={submit} noValidate>
            <Field
              label="Your partner's code"
              name="code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              required
              hint="12 letters and digits, as your partner sees it"
              error={fieldError(accept.error, 'code')}
            />
            <ErrorNotice error={accept.error} />
            <button type="submit" disabled={accept.isPending || normaliseCode(code) === ''}>
              Link with my partner
            </button>
          </form>
        </section>
      </div>
    </Page>
  );
}
