import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';
import { ComingUp } from './ComingUp.tsx';
import { daysLeftText, shortDay } from './dates.ts';
import { type Countdown, useCountdowns } from './hooks.ts';

/** "Our anniversary (3 years)": the title with the round number it reaches. */
export function countdownTitle(countdown: Countdown): string {
  if (countdown.kind === 'days-together') return countdown.title;
  return countdown.years
    ? `${countdown.title} (${countdown.years} ${countdown.years === 1 ? 'year' : 'years'})`
    : countdown.title;
}

/**
 * Yearly dates whose first time is today (years 0: "since you linked", on
 * the day you linked) are not yet something to celebrate; the rest are.
 */
export function celebrated(countdowns: Countdown[]): Countdown[] {
  return countdowns.filter((countdown) => countdown.years !== 0);
}

/** The couple's days to look forward to, soonest first (the API's order). */
export function Countdowns({ zone, today }: { zone: string; today: string }) {
  const countdowns = useCountdowns();
  const list = celebrated(countdowns.data ?? []);
  return (
    <section className="card" aria-labelledby="countdowns-title">
      <h2 id="countdowns-title" className="card-title">
        Countdowns
      </h2>
      {countdowns.isPending ? (
        <Loading />
      ) : countdowns.error ? (
        <ErrorNotice error={countdowns.error} />
      ) : list.length === 0 ? (
        <p className="hint">Add your anniversary or birthdays to your profile to count down to them.</p>
      ) : (
        <ul className="list countdowns">
          {list.map((countdown) => (
            <li key={`${countdown.kind}-${countdown.userId ?? ''}-${countdown.next}`}>
              <span className="days-left" aria-hidden="true">
                {countdown.daysLeft}
              </span>
              <span>
                <strong>{countdownTitle(countdown)}</strong>
                <br />
                <span className="hint">
                  {daysLeftText(countdown.daysLeft)}, {shortDay(countdown.next)}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
      <ComingUp zone={zone} today={today} />
    </section>
  );
}
