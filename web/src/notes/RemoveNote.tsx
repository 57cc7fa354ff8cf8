import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { useNoteActions } from './mutations.ts';
import type { Note } from './types.ts';

/**
 * The sender takes back a note not read yet (the API answers 409 once it is);
 * the recipient hides one from their inbox. Both ask first.
 */
export function RemoveNote({ note, mine }: { note: Note; mine: boolean }) {
  const { remove } = useNoteActions();
  const navigate = useNavigate();
  const [asking, setAsking] = useState(false);
  if (mine && note.readAt) return null;
  const action = mine ? 'Unsend' : 'Remove from my inbox';
  return (
    <div className="row">
      {asking ? (
        <>
          <span>
            {mine
              ? 'Take this note back? Your partner will no longer see it.'
              : 'Hide this note from your inbox?'}
          </span>
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() =>
              remove.mutate(note.id, { onSuccess: () => navigate(mine ? '/notes?box=sent' : '/notes') })
            }
          >
            Yes, {action.toLowerCase()}
          </button>
          <button type="button" className="secondary" onClick={() => setAsking(false)}>
            Keep it
          </button>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => setAsking(true)}>
          {action}
        </button>
      )}
      <ErrorNotice error={remove.error} />
    </div>
  );
}
