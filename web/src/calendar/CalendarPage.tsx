import { ApiError } from '@one2one/client';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { Countdowns } from './Countdowns.tsx';
import { addMonths, dayKey, longDay, monthLabel, monthOf, todayIn, type YearMonth } from './dates.ts';
import { EventForm } from './EventForm.tsx';
import { EventItem } from './EventItem.tsx';
import { draftOf, newDraft } from './event-form-state.ts';
import { FeedCard } from './FeedCard.tsx';
import { type Occurrence, useEvent, useMonth, useProfile } from './hooks.ts';
import { MonthGrid } from './MonthGrid.tsx';
import { byDay } from './occurrences.ts';
import './calendar.css';

type FormState = { mode: 'new'; day: string } | { mode: 'edit'; id: string } | null;

/** `?month=2026-12` keeps the shown month across reloads and in the history. */
function viewFromParam(param: string | null, today: string): YearMonth {
  const match = param ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(param) : null;
  return match ? { year: Number(match[1]), month: Number(match[2]) } : monthOf(today);
}

export function CalendarPage() {
  const profile = useProfile();
  const zone = profile.data?.timeZone;
  const [params, setParams] = useSearchParams();
  const today = todayIn(zone ?? 'UTC');
  const view = viewFromParam(params.get('month'), today);
  const month = useMonth(view, zone);
  const [picked, setPicked] = useState<string | null>(null);
  const [focusDay, setFocusDay] = useState<string | null>(null);
  const [form, setForm] = useState<FormState>(null);
  const [status, setStatus] = useState('');

  const inView = (day: string | null) => day?.startsWith(dayKey(view.year, view.month, 1).slice(0, 7));
  const selected =
    picked && inView(picked) ? picked : inView(today) ? today : dayKey(view.year, view.month, 1);

  function show(next: YearMonth) {
    setParams({ month: dayKey(next.year, next.month, 1).slice(0, 7) }, { replace: false });
  }
  function select(day: string, focus: boolean) {
    setPicked(day);
    setFocusDay(focus ? day : null);
    const target = monthOf(day);
    if (target.year !== view.year || target.month !== view.month) show(target);
  }

  if (profile.isPending)
    return (
      <Page title="Calendar">
        <Loading />
      </Page>
    );
  if (profile.error || !zone)
    return (
      <Page title="Calendar">
        <ErrorNotice error={profile.error} />
      </Page>
    );
  if (month.error instanceof ApiError && month.error.status === 409) {
    return (
      <Page title="Calendar">
        <p className="card">
          The calendar is shared with your partner. <Link to="/link">Link with your partner</Link> to start
          it.
        </p>
      </Page>
    );
  }

  const days = byDay(month.data?.occurrences ?? [], zone);
  const ofSelected = days.get(selected) ?? [];
  return (
    <Page
      title="Calendar"
      actions={
        <button type="button" onClick={() => setForm({ mode: 'new', day: selected })}>
          New event
        </button>
      }
    >
      <p role="status" className="success status-line">
        {status}
      </p>
      {form && (
        <FormFor
          form={form}
          zone={zone}
          onDone={(message) => {
            setForm(null);
            setStatus(message);
          }}
        />
      )}
      <section className="card" aria-labelledby="month-title">
        <div className="month-nav">
          <button
            type="button"
            className="secondary"
            aria-label="Previous month"
            onClick={() => show(addMonths(view, -1))}
          >
            ‹ <span className="wide-only">Previous</span>
          </button>
          <h2 id="month-title" aria-live="polite">
            {monthLabel(view)}
          </h2>
          <button
            type="button"
            className="secondary"
            aria-label="Next month"
            onClick={() => show(addMonths(view, 1))}
          >
            <span className="wide-only">Next</span> ›
          </button>
        </div>
        <p className="hint">
          Times in {zone.replaceAll('_', ' ')}.{' '}
          <span className="wide-only">
            Arrow keys move between days; Page Up and Page Down change the month.
          </span>
        </p>
        {month.isPending ? (
          <Loading />
        ) : month.error ? (
          <ErrorNotice error={month.error} />
        ) : (
          <>
            <div className="wide-only">
              <MonthGrid
                view={view}
                days={days}
                today={today}
                selected={selected}
                focusDay={focusDay}
                onSelect={select}
              />
              <section aria-labelledby="day-title" className="day-panel">
                <h3 id="day-title">{longDay(selected)}</h3>
                <DayEvents
                  occurrences={ofSelected}
                  zone={zone}
                  onEdit={(id) => setForm({ mode: 'edit', id })}
                />
              </section>
            </div>
            <div className="narrow-only">
              <MonthList
                days={days}
                month={dayKey(view.year, view.month, 1).slice(0, 7)}
                zone={zone}
                today={today}
                onEdit={(id) => setForm({ mode: 'edit', id })}
              />
            </div>
          </>
        )}
      </section>
      <Countdowns zone={zone} today={today} />
      <FeedCard />
    </Page>
  );
}

function FormFor({
  form,
  zone,
  onDone,
}: {
  form: NonNullable<FormState>;
  zone: string;
  onDone(message: string): void;
}) {
  const event = useEvent(form.mode === 'edit' ? form.id : null);
  if (form.mode === 'new')
    return <EventForm initial={newDraft(form.day, zone)} eventId={null} onDone={onDone} />;
  if (event.isPending) return <Loading what="Loading the event" />;
  if (event.error) return <ErrorNotice error={event.error} />;
  return <EventForm key={form.id} initial={draftOf(event.data)} eventId={form.id} onDone={onDone} />;
}

function DayEvents({
  occurrences,
  zone,
  onEdit,
}: {
  occurrences: Occurrence[];
  zone: string;
  onEdit(id: string): void;
}) {
  if (occurrences.length === 0) return <p className="hint">Nothing planned.</p>;
  return (
    <ul className="list">
      {occurrences.map((occurrence) => (
        <EventItem
          key={`${occurrence.eventId}-${occurrence.startsAt}`}
          occurrence={occurrence}
          zone={zone}
          onEdit={onEdit}
        />
      ))}
    </ul>
  );
}

/** At phone width: the month's days that have something, each a short list. */
function MonthList({
  days,
  month,
  zone,
  today,
  onEdit,
}: {
  days: Map<string, Occurrence[]>;
  /** YYYY-MM: an event running into the next month is listed there too, not here twice. */
  month: string;
  zone: string;
  today: string;
  onEdit(id: string): void;
}) {
  const keys = [...days.keys()].filter((day) => day.startsWith(month)).sort();
  if (keys.length === 0) return <p className="hint">Nothing planned this month.</p>;
  return (
    <ol className="list month-list">
      {keys.map((day) => (
        <li key={day}>
          <h3 aria-current={day === today ? 'date' : undefined}>
            {longDay(day)}
            {day === today && ' (today)'}
          </h3>
          <DayEvents occurrences={days.get(day) ?? []} zone={zone} onEdit={onEdit} />
        </li>
      ))}
    </ol>
  );
}
