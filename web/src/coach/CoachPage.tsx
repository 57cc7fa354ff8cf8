import { unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { MemoryCard } from './MemoryCard.tsx';
import { coachKeys, useConversations } from './queries.ts';
import { SuggestionsCard } from './SuggestionsCard.tsx';
import './coach.css';

/** The coach's home: start a conversation, reopen one, ideas, and what the coach remembers. */
export function CoachPage() {
  const conversations = useConversations();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [shared, setShared] = useState(false);
  const start = useMutation({
    mutationFn: (title: string) =>
      unwrap(api.POST('/v1/coach/conversations', { body: { ...(title ? { title } : {}), shared } })),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: coachKeys.conversations });
      navigate(`/coach/${created.conversation.id}`);
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    start.mutate(String(new FormData(event.currentTarget).get('title') ?? '').trim());
  }

  return (
    <Page title="Coach">
      <p className="hint">
        An AI relationship coach: private, not a person and not therapy. In an emergency, call your local
        emergency number.
      </p>
      <div className="coach-grid">
        <section className="card" aria-labelledby="new-conversation">
          <h2 id="new-conversation">New conversation</h2>
          <form className="form" onSubmit={submit}>
            <Field
              label="Title (optional)"
              name="title"
              maxLength={120}
              error={fieldError(start.error, 'title')}
            />
            <div className="checkbox">
              <input
                id="coach-shared"
                type="checkbox"
                checked={shared}
                onChange={(event) => setShared(event.target.checked)}
              />
              <label htmlFor="coach-shared">Let my partner read it</label>
            </div>
            <ErrorNotice error={start.error} />
            <button type="submit" disabled={start.isPending}>
              Start conversation
            </button>
          </form>
        </section>
        <section className="card" aria-labelledby="conversations">
          <h2 id="conversations">Conversations</h2>
          {conversations.isPending ? (
            <Loading />
          ) : conversations.error ? (
            <ErrorNotice error={conversations.error} />
          ) : conversations.data.length === 0 ? (
            <p className="hint">No conversations yet.</p>
          ) : (
            <ul className="list conversation-list">
              {conversations.data.map((c) => (
                <li key={c.id}>
                  <Link to={`/coach/${c.id}`}>{c.title ?? 'Untitled conversation'}</Link>
                  <small className="hint">
                    {' '}
                    {c.owner === 'partner' ? 'shared by your partner · ' : c.shared ? 'shared · ' : ''}
                    {new Date(c.updatedAt).toLocaleString()}
                  </small>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <SuggestionsCard />
      <MemoryCard />
    </Page>
  );
}
