import { useEffect, useRef } from 'react';
import { Link, useParams } from 'react-router';
import { useUser } from '../auth/AuthProvider.tsx';
import { partnerName, useCouple } from '../couple/queries.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { FavoriteButton } from './FavoriteButton.tsx';
import { useMarkRead } from './mutations.ts';
import { NoteStatus } from './NoteStatus.tsx';
import { useNote } from './queries.ts';
import { ReactionList, ReactionPicker } from './Reactions.tsx';
import { RemoveNote } from './RemoveNote.tsx';
import { describeRule, formatWhen } from './time.ts';
import { useNotesLive } from './useNotesLive.ts';
import './notes.css';

/** `/notes/:id`: one note; opening a received one marks it read (the sender's read receipt). */
export function NoteViewPage() {
  useNotesLive();
  const id = useParams().id ?? '';
  const user = useUser();
  const { couple, state } = useCouple();
  // A closed couple's notes are readable for 30 days; the API refuses every change to them.
  const writable = state === 'active';
  const partner = partnerName(couple);
  const note = useNote(id);
  const markRead = useMarkRead();
  const asked = useRef<string | null>(null);

  const data = note.data;
  const unread =
    writable && data && data.recipientId === user.id && !data.readAt && data.status === 'delivered';
  useEffect(() => {
    if (unread && asked.current !== id) {
      asked.current = id;
      markRead.mutate(id);
    }
  }, [unread, id, markRead]);

  if (note.isPending) return <Loading />;
  if (note.error || !data) {
    return (
      <Page title="Love note">
        <ErrorNotice error={note.error} />
        <Link to="/notes">Back to your notes</Link>
      </Page>
    );
  }
  const mine = data.senderId === user.id;
  return (
    <Page title={mine ? `Your note to ${partner}` : `A note from ${partner}`}>
      <p>
        <Link to={mine ? '/notes?box=sent' : '/notes'}>← Back to your notes</Link>
      </p>
      <article className="card note-full">
        <p className="note-text">{data.body}</p>
        {data.mood && <p className="hint">Mood: {data.mood}</p>}
        <dl className="note-facts">
          {data.deliveredAt && (
            <>
              <dt>Delivered</dt>
              <dd>{formatWhen(data.deliveredAt)}</dd>
            </>
          )}
          {data.readAt && (
            <>
              <dt>Read</dt>
              <dd>{formatWhen(data.readAt)}</dd>
            </>
          )}
          {data.recurrence && (
            <>
              <dt>Repeats</dt>
              <dd>{describeRule(data.recurrence)}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>
            <NoteStatus note={data} mine={mine} />
          </dd>
        </dl>
        <ReactionList reactions={data.reactions} userId={user.id} partner={partner} />
        {writable && (
          <div className="row">
            <FavoriteButton note={data} />
          </div>
        )}
      </article>
      <ErrorNotice error={markRead.error} />
      {!writable && state !== 'loading' && (
        <p className="hint">Your couple has ended: this note can be read, no longer changed.</p>
      )}
      {writable && data.status !== 'scheduled' && data.status !== 'cancelled' && (
        <section className="card" aria-labelledby="react-heading">
          <h2 id="react-heading">React</h2>
          <ReactionPicker note={data} userId={user.id} />
        </section>
      )}
      {writable && data.status !== 'scheduled' && data.status !== 'cancelled' && (
        <RemoveNote note={data} mine={mine} />
      )}
    </Page>
  );
}
