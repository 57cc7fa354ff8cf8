import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Field, TextArea } from '../ui/Field.tsx';
import { useNoteActions } from './mutations.ts';
import { NoteStatus } from './NoteStatus.tsx';
import { wallClockIn } from './time.ts';
import type { Note } from './types.ts';

/** A note waiting to go: pause or resume a series, edit its text or time, or cancel it. */
export function ScheduledCard({ note }: { note: Note }) {
  const actions = useNoteActions();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const zone = note.timeZone ?? 'UTC';
  const error =
    actions.pause.error ?? actions.resume.error ?? actions.edit.error ?? actions.remove.error ?? null;

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    actions.edit.mutate(
      {
        id: note.id,
        change: {
          body: String(form.get('body')),
          scheduledAt: String(form.get('scheduledAt')),
          timeZone: zone,
        },
      },
      { onSuccess: () => setEditing(false) },
    );
  }

  return (
    <li className="card note">
      <div className="note-meta">
        <NoteStatus note={note} mine />
      </div>
      {editing ? (
        <form className="form" onSubmit={save} noValidate>
          <TextArea label="Text" name="body" defaultValue={note.body} rows={4} required />
          <Field
            label={`Date and time (${zone})`}
            name="scheduledAt"
            type="datetime-local"
            step={1}
            defaultValue={note.scheduledAt ? wallClockIn(note.scheduledAt, zone) : ''}
            required
          />
          <div className="row">
            <button type="submit" disabled={actions.edit.isPending}>
              Save changes
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="note-body">{note.body}</p>
      )}
      <ErrorNotice error={error} />
      {!editing && (
        <div className="row">
          {note.recurrence &&
            (note.paused ? (
              <button type="button" className="secondary" onClick={() => actions.resume.mutate(note.id)}>
                Resume
              </button>
            ) : (
              <button type="button" className="secondary" onClick={() => actions.pause.mutate(note.id)}>
                Pause
              </button>
            ))}
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit
          </button>
          {confirming ? (
            <>
              <button type="button" className="danger" onClick={() => actions.remove.mutate(note.id)}>
                Yes, delete it
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </div>
      )}
    </li>
  );
}
