import { useState } from 'react';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { type Occurrence, useEventMutations } from './hooks.ts';
import { whenText } from './occurrences.ts';

/** One occurrence in a day's list, with its edit and (confirmed) delete. */
export function EventItem({
  occurrence,
  zone,
  onEdit,
}: {
  occurrence: Occurrence;
  zone: string;
  onEdit(eventId: string): void;
}) {
  const { remove } = useEventMutations();
  const [confirming, setConfirming] = useState(false);
  return (
    <li className="event-item">
      <div>
        <strong>{occurrence.title}</strong>
        <div className="hint">
          {whenText(occurrence, zone)}
          {occurrence.location && ` · ${occurrence.location}`}
          {occurrence.recurring && ' · repeats'}
          {occurrence.surprise && ' · surprise'}
          {!occurrence.allDay && occurrence.timeZone !== zone && ` · set in ${occurrence.timeZone}`}
        </div>
      </div>
      <div className="row">
        <button
          type="button"
          className="secondary"
          aria-label={`Edit ${occurrence.title}`}
          onClick={() => onEdit(occurrence.eventId)}
        >
          Edit
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate(occurrence.eventId)}
            >
              {occurrence.recurring ? `Delete every ${occurrence.title}` : `Delete ${occurrence.title}`}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button
            type="button"
            className="secondary"
            aria-label={`Delete ${occurrence.title}…`}
            onClick={() => setConfirming(true)}
          >
            Delete…
          </button>
        )}
      </div>
      <ErrorNotice error={remove.error} />
    </li>
  );
}
