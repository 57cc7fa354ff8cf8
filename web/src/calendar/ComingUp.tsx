import { addMonths, dayKeyIn, daysBetween, daysLeftText, monthOf, shortDay } from './dates.ts';
import { type Occurrence, useMonth } from './hooks.ts';
import { whenText } from './occurrences.ts';

const SHOWN = 3;

/**
 * The next few events, counted down in days: the API's countdowns are the
 * couple's yearly dates, so the events themselves come from this month's
 * and next month's views (already cached when the calendar shows them).
 */
export function ComingUp({ zone, today }: { zone: string; today: string }) {
  const thisMonth = monthOf(today);
  const current = useMonth(thisMonth, zone);
  const next = useMonth(addMonths(thisMonth, 1), zone);
  const now = Date.now();
  const dayOf = (occurrence: Occurrence) =>
    occurrence.allDay ? occurrence.start.slice(0, 10) : dayKeyIn(occurrence.startsAt, zone);
  const seen = new Set<string>();
  const upcoming = [...(current.data?.occurrences ?? []), ...(next.data?.occurrences ?? [])]
    .filter((occurrence) =>
      occurrence.allDay ? dayOf(occurrence) >= today : Date.parse(occurrence.startsAt) >= now,
    )
    .filter((occurrence) => {
      // An occurrence that overlaps both months is in both answers.
      const key = `${occurrence.eventId}@${occurrence.startsAt}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
    .slice(0, SHOWN);
  if (upcoming.length === 0) return null;
  return (
    <>
      <h3 className="coming-up-title">Coming up</h3>
      <ul className="list countdowns">
        {upcoming.map((occurrence) => {
          const daysLeft = daysBetween(today, dayOf(occurrence));
          return (
            <li key={`${occurrence.eventId}@${occurrence.startsAt}`}>
              <span className="days-left" aria-hidden="true">
                {daysLeft}
              </span>
              <span>
                <strong>{occurrence.title}</strong>
                <br />
                <span className="hint">
                  {daysLeftText(daysLeft)}, {shortDay(dayOf(occurrence))}, {whenText(occurrence, zone)}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
    </>
  );
}
