import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { partnerName, useCouple } from '../couple/queries.ts';
import { Field, TextArea } from '../ui/Field.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { useSendNote } from './mutations.ts';
import { useProfileZone, useTemplates } from './queries.ts';
import { TemplatePicker } from './TemplatePicker.tsx';
import { parseRule, REPEATS, type Repeat, ruleOf, timeZones } from './time.ts';
import { MAX_BODY, type SendInput, type Template } from './types.ts';
import { useNotesLive } from './useNotesLive.ts';
import './notes.css';

// Filled by the API from what it knows; any other {{name}} in a template needs a value.
const KNOWN_VARIABLES = new Set(['partnerName', 'myName', 'daysTogether', 'anniversary']);

/** `/notes/new`: write (or pick a template), then send now or at a chosen time, once or repeating. */
export function ComposePage() {
  useNotesLive();
  const zone = useProfileZone();
  const { couple, state } = useCouple();
  if (zone.isPending || state === 'loading') return <Loading />;
  if (state !== 'active') {
    return (
      <Page title="Write a love note">
        <p className="card">
          Link with your partner first. <Link to="/link">Link now</Link>
        </p>
      </Page>
    );
  }
  return <Composer partner={partnerName(couple)} profileZone={zone.data ?? 'UTC'} />;
}

function Composer({ partner, profileZone }: { partner: string; profileZone: string }) {
  const navigate = useNavigate();
  const draft = (useLocation().state as { draft?: SendInput } | null)?.draft;
  const send = useSendNote();
  const templates = useTemplates();
  const [body, setBody] = useState(draft?.body ?? '');
  const [templateId, setTemplateId] = useState<string | null>(draft?.templateId ?? null);
  const [when, setWhen] = useState<'now' | 'later'>(draft?.scheduledAt ? 'later' : 'now');
  const drafted = parseRule(draft?.recurrence);
  const [repeat, setRepeat] = useState<Repeat>(drafted.repeat);
  const [missingTime, setMissingTime] = useState(false);
  const template = templates.data?.find((t) => t.id === templateId) ?? null;
  const over = body.length > MAX_BODY;
  const extraVariables = (template?.variables ?? []).filter((name) => !KNOWN_VARIABLES.has(name));

  function pick(chosen: Template | null) {
    setTemplateId(chosen?.id ?? null);
    if (chosen) setBody(chosen.body);
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? '').trim();
    const variables = Object.fromEntries(extraVariables.map((name) => [name, text(`var-${name}`)]));
    const count = Number(text('count')) || null;
    const recurrence = when === 'later' ? ruleOf(repeat, count) : undefined;
    // The one check made here: without a time there is nothing to send. The API judges the rest.
    setMissingTime(when === 'later' && text('scheduledAt') === '');
    if (when === 'later' && text('scheduledAt') === '') return;
    const input: SendInput = {
      body,
      ...(text('mood') ? { mood: text('mood') } : {}),
      ...(templateId ? { templateId } : {}),
      ...(extraVariables.length > 0 ? { variables } : {}),
      ...(when === 'later' ? { scheduledAt: text('scheduledAt'), timeZone: text('timeZone') } : {}),
      ...(recurrence ? { recurrence } : {}),
    };
    // Optimistic: the list shows the note at once and takes it back (with the reason) if refused.
    send.mutate(input);
    navigate(when === 'later' ? '/notes?box=scheduled' : '/notes?box=sent');
  }

  return (
    <Page title="Write a love note">
      <TemplatePicker selected={template} onPick={pick} />
      <form className="card form composer" onSubmit={submit} noValidate>
        <TextArea
          label={`Your note to ${partner}`}
          name="body"
          rows={6}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          required
        />
        <p className={over ? 'counter error' : 'counter hint'}>
          {body.length} / {MAX_BODY} characters
          {/* Announced once when the limit is crossed, not on every keystroke. */}
          <span role="status">{over ? ': too long to send' : ''}</span>
        </p>
        {template && (
          <p className="hint">
            From the template “{template.title}”: names and dates in {'{{…}}'} are filled in when it is sent.
          </p>
        )}
        {extraVariables.map((name) => (
          <Field key={name} label={`Value for {{${name}}}`} name={`var-${name}`} required />
        ))}
        <Field label="Mood (optional)" name="mood" maxLength={40} defaultValue={draft?.mood ?? ''} />

        <fieldset className="when">
          <legend>When</legend>
          <div className="checkbox">
            <input
              id="when-now"
              type="radio"
              name="when"
              checked={when === 'now'}
              onChange={() => setWhen('now')}
            />
            <label htmlFor="when-now">Send now</label>
          </div>
          <div className="checkbox">
            <input
              id="when-later"
              type="radio"
              name="when"
              checked={when === 'later'}
              onChange={() => setWhen('later')}
            />
            <label htmlFor="when-later">Schedule</label>
          </div>
          {when === 'later' && (
            <Schedule
              profileZone={profileZone}
              draft={draft}
              repeat={repeat}
              count={drafted.count}
              onRepeat={setRepeat}
              missingTime={missingTime}
            />
          )}
        </fieldset>

        <button type="submit" disabled={body.trim() === ''}>
          {when === 'later' ? 'Schedule note' : 'Send note'}
        </button>
      </form>
    </Page>
  );
}

function Schedule({
  profileZone,
  draft,
  repeat,
  count,
  onRepeat,
  missingTime,
}: {
  profileZone: string;
  draft: SendInput | undefined;
  repeat: Repeat;
  count: number | null;
  onRepeat: (repeat: Repeat) => void;
  missingTime: boolean;
}) {
  return (
    <div className="schedule">
      <Field
        label="Date and time"
        name="scheduledAt"
        type="datetime-local"
        step={1}
        required
        defaultValue={draft?.scheduledAt ?? ''}
        hint="In the time zone below."
        error={missingTime ? 'Choose when the note should arrive' : undefined}
      />
      <div className="field">
        <label htmlFor="time-zone">Time zone</label>
        <select id="time-zone" name="timeZone" defaultValue={draft?.timeZone ?? profileZone}>
          {timeZones(profileZone).map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="repeat">Repeat</label>
        <select id="repeat" value={repeat} onChange={(e) => onRepeat(e.target.value as Repeat)}>
          {REPEATS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      {repeat !== 'none' && (
        <Field
          label="How many times (optional)"
          name="count"
          type="number"
          min={1}
          max={10000}
          defaultValue={count ?? ''}
          hint="Leave empty to repeat until you pause or delete it."
        />
      )}
    </div>
  );
}
