import type { CoachMessage } from './queries.ts';

const STATUS_NOTE: Record<CoachMessage['status'], string | null> = {
  complete: null,
  cancelled: 'Stopped before the end.',
  interrupted: 'The reply was interrupted; this is what arrived.',
};

/**
 * One stored message. Crisis and refusal answers are the API's fixed,
 * human-written texts: shown exactly as sent, set apart so they are not read
 * as the coach's opinion.
 */
export function MessageView({ message }: { message: CoachMessage }) {
  if (message.kind === 'disclosure') {
    return (
      <li className="message disclosure">
        <p>{message.content}</p>
      </li>
    );
  }
  const mine = message.role === 'user';
  const note = STATUS_NOTE[message.status];
  return (
    <li className={`message ${mine ? 'mine' : 'coach'} ${message.kind}`}>
      <span className="who">
        {mine ? 'You' : message.kind === 'crisis' ? 'Important: help is available' : 'Coach'}
      </span>
      <p>{message.content}</p>
      {note && <small className="hint">{note}</small>}
      {message.sources.length > 0 && (
        <small className="hint sources">Drew on: {message.sources.map((s) => s.title).join(', ')}</small>
      )}
    </li>
  );
}
