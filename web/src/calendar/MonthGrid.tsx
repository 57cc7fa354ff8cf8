import { type KeyboardEvent, useEffect, useRef } from 'react';
import { addDays, longDay, monthWeeks, WEEKDAYS, weekdayOf, type YearMonth } from './dates.ts';
import type { Occurrence } from './hooks.ts';

interface Props {
  view: YearMonth;
  days: Map<string, Occurrence[]>;
  today: string;
  selected: string;
  /** Selects a day; `focus` asks for keyboard focus on it once it is shown (arrow keys). */
  onSelect(day: string, focus: boolean): void;
  /** Set when the selection moved by keyboard: the grid focuses that day after rendering. */
  focusDay: string | null;
}

/**
 * The month as a table of day buttons: one tab stop (the selected day), arrow keys
 * move by day and week, Home/End to the week's ends, Page Up/Down by month;
 * leaving the month moves the view with the focus.
 */
export function MonthGrid({ view, days, today, selected, onSelect, focusDay }: Props) {
  const grid = useRef<HTMLTableElement>(null);
  useEffect(() => {
    if (focusDay) grid.current?.querySelector<HTMLButtonElement>(`[data-day="${focusDay}"]`)?.focus();
  }, [focusDay]);

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, day: string) {
    const next = moveBy(event.key, day);
    if (!next) return;
    event.preventDefault();
    onSelect(next, true);
  }

  return (
    <table ref={grid} className="month-grid" aria-labelledby="month-title">
      <thead>
        <tr>
          {WEEKDAYS.map((name) => (
            <th key={name} scope="col" abbr={name}>
              <span aria-hidden="true">{name.slice(0, 3)}</span>
              <span className="visually-hidden">{name}</span>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {monthWeeks(view).map((week) => (
          <tr key={week.find(Boolean) ?? ''}>
            {week.map((day, index) =>
              day === null ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: blank cells have nothing else to key on
                <td key={index} className="outside" />
              ) : (
                <DayCell
                  key={day}
                  day={day}
                  occurrences={days.get(day) ?? []}
                  isToday={day === today}
                  isSelected={day === selected}
                  onSelect={() => onSelect(day, false)}
                  onKeyDown={(event) => onKeyDown(event, day)}
                />
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Where a key moves the focused day, or null for a key the grid leaves alone. */
function moveBy(key: string, day: string): string | null {
  const weekday = weekdayOf(day);
  switch (key) {
    case 'ArrowLeft':
      return addDays(day, -1);
    case 'ArrowRight':
      return addDays(day, 1);
    case 'ArrowUp':
      return addDays(day, -7);
    case 'ArrowDown':
      return addDays(day, 7);
    case 'Home':
      return addDays(day, -weekday);
    case 'End':
      return addDays(day, 6 - weekday);
    case 'PageUp':
      return shiftMonth(day, -1);
    case 'PageDown':
      return shiftMonth(day, 1);
    default:
      return null;
  }
}

function shiftMonth(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

function DayCell({
  day,
  occurrences,
  isToday,
  isSelected,
  onSelect,
  onKeyDown,
}: {
  day: string;
  occurrences: Occurrence[];
  isToday: boolean;
  isSelected: boolean;
  onSelect(): void;
  onKeyDown(event: KeyboardEvent<HTMLButtonElement>): void;
}) {
  const count = occurrences.length;
  const titles = occurrences.map((occurrence) => occurrence.title).join(', ');
  const label = `${longDay(day)}${isToday ? ', today' : ''}: ${count === 0 ? 'no events' : titles}`;
  return (
    <td className={[isToday ? 'today' : '', isSelected ? 'selected' : ''].join(' ').trim() || undefined}>
      <button
        type="button"
        className="day"
        data-day={day}
        tabIndex={isSelected ? 0 : -1}
        aria-label={label}
        aria-current={isToday ? 'date' : undefined}
        onClick={onSelect}
        onKeyDown={onKeyDown}
      >
        <span className="day-number" aria-hidden="true">
          {Number(day.slice(8))}
        </span>
        <span className="day-events" aria-hidden="true">
          {occurrences.slice(0, 3).map((occurrence) => (
            <span key={`${occurrence.eventId}-${occurrence.startsAt}`} className="chip">
              {occurrence.title}
            </span>
          ))}
          {count > 3 && <span className="more">+{count - 3} more</span>}
        </span>
      </button>
    </td>
  );
}
