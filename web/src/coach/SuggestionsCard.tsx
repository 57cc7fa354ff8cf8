import { type BodyOf, unwrap } from '@one2one/client';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';

type LoveNoteBody = BodyOf<'/v1/coach/suggestions/love-note', 'post'>;
type DateBody = BodyOf<'/v1/coach/suggestions/date-ideas', 'post'>;

const TONES: LoveNoteBody['tone'][] = ['romantic', 'playful', 'grateful', 'supportive', 'apologetic'];
const OCCASIONS: LoveNoteBody['occasion'][] = [
  'everyday',
  'anniversary',
  'birthday',
  'good-morning',
  'good-night',
  'after-argument',
  'missing-you',
];
const BUDGETS: DateBody['budget'][] = ['free', 'low', 'medium', 'high'];
const SETTINGS: DateBody['setting'][] = ['either', 'indoor', 'outdoor'];

const words = (value: string) => value.replace(/-/g, ' ');

function Select<T extends string>({ label, name, options }: { label: string; name: string; options: T[] }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={options[0]}>
        {options.map((option) => (
          <option key={option} value={option}>
            {words(option)}
          </option>
        ))}
      </select>
    </div>
  );
}

function Ideas({ items, label }: { items: string[] | undefined; label: string }) {
  if (!items) return null;
  return (
    <ul className="ideas" aria-label={label}>
      {items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}

/** Love-note drafts and date ideas from the coach (they count towards the daily budget). */
export function SuggestionsCard() {
  const [tab, setTab] = useState<'notes' | 'dates'>('notes');
  const notes = useMutation({
    mutationFn: (body: LoveNoteBody) => unwrap(api.POST('/v1/coach/suggestions/love-note', { body })),
  });
  const dates = useMutation({
    mutationFn: (body: DateBody) => unwrap(api.POST('/v1/coach/suggestions/date-ideas', { body })),
  });

  function askNotes(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    notes.mutate({
      tone: form.get('tone') as LoveNoteBody['tone'],
      occasion: form.get('occasion') as LoveNoteBody['occasion'],
    });
  }
  function askDates(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const city = String(form.get('city') ?? '').trim();
    dates.mutate({
      budget: form.get('budget') as DateBody['budget'],
      setting: form.get('setting') as DateBody['setting'],
      ...(city ? { city } : {}),
    });
  }

  return (
    <section className="card" aria-labelledby="coach-ideas">
      <h2 id="coach-ideas">Ideas</h2>
      <div className="tabs">
        <button
          type="button"
          className={tab === 'notes' ? '' : 'secondary'}
          aria-pressed={tab === 'notes'}
          onClick={() => setTab('notes')}
        >
          Love-note ideas
        </button>
        <button
          type="button"
          className={tab === 'dates' ? '' : 'secondary'}
          aria-pressed={tab === 'dates'}
          onClick={() => setTab('dates')}
        >
          Date ideas
        </button>
      </div>
      {tab === 'notes' ? (
        <form className="form" onSubmit={askNotes}>
          <Select label="Tone" name="tone" options={TONES} />
          <Select label="Occasion" name="occasion" options={OCCASIONS} />
          <ErrorNotice error={notes.error} />
          <button type="submit" disabled={notes.isPending}>
            Suggest love notes
          </button>
          <Ideas items={notes.data?.items} label="Love-note drafts" />
        </form>
      ) : (
        <form className="form" onSubmit={askDates}>
          <Select label="Budget" name="budget" options={BUDGETS} />
          <Select label="Setting" name="setting" options={SETTINGS} />
          <Field label="City (optional)" name="city" maxLength={80} />
          <ErrorNotice error={dates.error} />
          <button type="submit" disabled={dates.isPending}>
            Suggest dates
          </button>
          <Ideas items={dates.data?.items} label="Date ideas" />
        </form>
      )}
    </section>
  );
}
