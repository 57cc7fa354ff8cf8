import { describeRule, formatWhen } from './time.ts';
import type { Note } from './types.ts';

/** Where a note is, from the viewer's side: new, delivered, read, or when it will go. */
export function NoteStatus({ note, mine }: { note: Note; mine: boolean }) {
  if (note.status === 'scheduled') {
    return (
      <span className="status">
        {note.scheduledAt ? `Goes ${formatWhen(note.scheduledAt, note.timeZone)}` : 'Scheduled'}
        {note.recurrence && ` · ${describeRule(note.recurrence)}`}
        {note.paused && <strong className="badge">Paused</strong>}
      </span>
    );
  }
  if (note.status === 'cancelled') return <span className="status">Cancelled</span>;
  if (!mine) {
    return note.readAt ? (
      <span className="status">Read</span>
    ) : (
      <strong className="badge badge-new">New</strong>
    );
  }
  return note.status === 'read' ? (
    <strong className="badge badge-read">Read</strong>
  ) : (
    <span className="status">Delivered</span>
  );
}
