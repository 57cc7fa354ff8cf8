import { ApiError } from '@one2one/client';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field, TextArea } from '../ui/Field.tsx';
import { timeZones } from './dates.ts';
import {
  bodyOf,
  type EventDraft,
  REMINDER_CHOICES,
  REPEAT_LABELS,
  REPEATS,
  type Repeat,
  withAllDay,
} from './event-form-state.ts';
import { useEventMutations } from './hooks.ts';

const FIELDS = [
  'title',
  'allDay',
  'start',
  'end',
  'timeZone',
  'recurrence',
  'reminders',
  'location',
  'notes',
];

/** The API's error when none of its messages belongs to a field shown here. */
function formLevelError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  return error.errors.some((item) => item.field && FIELDS.includes(item.field)) ? null : error;
}

/** Create (no `eventId`) or change an event; closes itself on success. */
export function EventForm({
  initial,
  eventId,
  onDone,
}: {
  initial: EventDraft;
  eventId: string | null;
  onDone(message: string): void;
}) {
  const [draft, setDraft] = useState(initial);
  const { create, update } = useEventMutations();
  const mutation = eventId ? update : create;
  const error = mutation.error;
  const zones = useMemo(() => timeZones(initial.timeZone), [initial.timeZone]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const set = <K extends keyof EventDraft>(key: K, value: EventDraft[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = bodyOf(draft);
    if (eventId) {
      update.mutate({ id: eventId, body }, { onSuccess: () => onDone(`Saved ${draft.title}.`) });
    } else {
      create.mutate(body, { onSuccess: () => onDone(`Added ${draft.title}.`) });
    }
  }

  const dateType = draft.allDay ? 'date' : 'datetime-local';
  return (
    <form className="card form event-form" onSubmit={submit} noValidate aria-labelledby="event-form-title">
      <h2 id="event-form-title" ref={heading} tabIndex={-1}>
        {eventId ? 'Edit event' : 'New event'}
      </h2>
      <Field
        label="Title"
        value={draft.title}
        onChange={(e) => set('title', e.target.value)}
        maxLength={200}
        required
        error={fieldError(error, 'title')}
      />
      <div className="checkbox">
        <input
          id="event-all-day"
          type="checkbox"
          checked={draft.allDay}
          onChange={(e) => setDraft((current) => withAllDay(current, e.target.checked))}
        />
        <label htmlFor="event-all-day">All day</label>
      </div>
      <div className="two-columns">
        <Field
          label="Starts"
          type={dateType}
          value={draft.start}
          onChange={(e) => set('start', e.target.value)}
          required
          error={fieldError(error, 'start')}
        />
        <Field
          label="Ends"
          type={dateType}
          value={draft.end}
          onChange={(e) => set('end', e.target.value)}
          hint={draft.allDay ? 'The last day, included.' : undefined}
          error={fieldError(error, 'end')}
        />
      </div>
      {!draft.allDay && (
        <SelectField
          label="Time zone"
          value={draft.timeZone}
          onChange={(value) => set('timeZone', value)}
          options={zones.map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }))}
          hint="The times above are in this zone; repeats keep its local time across daylight saving."
          error={fieldError(error, 'timeZone')}
        />
      )}
      <SelectField
        label="Repeats"
        value={draft.repeat}
        onChange={(value) => set('repeat', value as Repeat)}
        options={REPEATS.map((repeat) => ({ value: repeat, label: REPEAT_LABELS[repeat] }))}
        error={draft.repeat === 'custom' ? undefined : fieldError(error, 'recurrence')}
      />
      {draft.repeat === 'custom' && (
        <Field
          label="Rule"
          value={draft.rule}
          onChange={(e) => set('rule', e.target.value)}
          placeholder="FREQ=MONTHLY;BYDAY=-1FR;COUNT=12"
          hint="An RFC 5545 RRULE; the start must be its first occurrence."
          error={fieldError(error, 'recurrence')}
        />
      )}
      {draft.repeat !== 'none' && draft.repeat !== 'custom' && (
        <Field
          label="Number of times"
          type="number"
          inputMode="numeric"
          min={1}
          max={1000}
          value={draft.count}
          onChange={(e) => set('count', e.target.value)}
          hint="Leave empty to repeat with no end."
        />
      )}
      <fieldset className="reminders">
        <legend>Remind us</legend>
        {REMINDER_CHOICES.map((choice) => (
          <div className="checkbox" key={choice.minutes}>
            <input
              id={`reminder-${choice.minutes}`}
              type="checkbox"
              checked={draft.reminders.includes(choice.minutes)}
              onChange={(e) =>
                set(
                  'reminders',
                  e.target.checked
                    ? [...draft.reminders, choice.minutes].sort((a, b) => a - b)
                    : draft.reminders.filter((minutes) => minutes !== choice.minutes),
                )
              }
            />
            <label htmlFor={`reminder-${choice.minutes}`}>{choice.label}</label>
          </div>
        ))}
        {fieldError(error, 'reminders') && (
          <small className="field-error" role="alert">
            {fieldError(error, 'reminders')}
          </small>
        )}
      </fieldset>
      <Field
        label="Location"
        value={draft.location}
        onChange={(e) => set('location', e.target.value)}
        maxLength={300}
        error={fieldError(error, 'location')}
      />
      <TextArea
        label="Notes"
        value={draft.notes}
        onChange={(e) => set('notes', e.target.value)}
        maxLength={5000}
        rows={3}
        error={fieldError(error, 'notes')}
      />
      <div className="checkbox">
        <input
          id="event-surprise"
          type="checkbox"
          checked={draft.surprise}
          onChange={(e) => set('surprise', e.target.checked)}
        />
        <label htmlFor="event-surprise">A surprise: hidden from my partner until it starts</label>
      </div>
      <ErrorNotice error={formLevelError(error)} />
      <div className="row">
        <button type="submit" disabled={mutation.isPending}>
          {eventId ? 'Save changes' : 'Add event'}
        </button>
        <button type="button" className="secondary" onClick={() => onDone('')}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SelectField({
  label,
  value,
  onChange,
  options,
  hint,
  error,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
  options: Array<{ value: string; label: string }>;
  hint?: string;
  error?: string | undefined;
}) {
  const id = `select-${label.toLowerCase().replaceAll(' ', '-')}`;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}
