import { Link } from 'react-router';
import { FavoriteButton } from './FavoriteButton.tsx';
import { NoteStatus } from './NoteStatus.tsx';
import { ReactionList } from './Reactions.tsx';
import { formatWhen } from './time.ts';
import type { Note } from './types.ts';

/** A note in the inbox or the sent box; its text opens it. */
export function NoteCard({
  note,
  userId,
  partner,
  readOnly = false,
}: {
  note: Note;
  userId: string;
  partner: string;
  /** A closed couple's note: shown, not changed. */
  readOnly?: boolean;
}) {
  const mine = note.senderId === userId;
  const unread = !mine && !note.readAt;
  return (
    <li className={unread ? 'card note unread' : 'card note'}>
      <div className="note-meta">
        <span>{mine ? `To ${partner}` : `From ${partner}`}</span>
        <time dateTime={note.deliveredAt ?? note.createdAt}>
          {formatWhen(note.deliveredAt ?? note.createdAt)}
        </time>
        <NoteStatus note={note} mine={mine} />
      </div>
      <Link to={`/notes/${note.id}`} className="note-body">
        {note.body}
      </Link>
      <div className="note-actions">
        <ReactionList reactions={note.reactions} userId={userId} partner={partner} />
        {!readOnly && <FavoriteButton note={note} />}
      </div>
    </li>
  );
}

/** A note on its way: the optimistic copy of a send the API has not answered yet. */
export function PendingCard({
  body,
  partner,
  scheduledAt,
}: {
  body: string;
  partner: string;
  scheduledAt?: string;
}) {
  return (
    <li className="card note pending" aria-busy="true">
      <div className="note-meta">
        <span>To {partner}</span>
        <span className="status">{scheduledAt ? 'Scheduling…' : 'Sending…'}</span>
      </div>
      <p className="note-body">{body}</p>
    </li>
  );
}
