import type { ReactNode } from 'react';

/**
 * A chart with its text alternative: the caption names it, a one-sentence
 * summary says what it shows, and the full numbers are one click away in a
 * table that screen readers and keyboard users can read cell by cell.
 */
export function ChartFigure({
  id,
  title,
  summary,
  chart,
  table,
}: {
  id: string;
  title: string;
  summary: string;
  chart: ReactNode;
  table: ReactNode;
}) {
  return (
    <figure className="card chart" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
      <figcaption>
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-summary`} className="hint">
          {summary}
        </p>
      </figcaption>
      <div className="chart-area">{chart}</div>
      <details>
        <summary>The numbers as a table</summary>
        <div className="table-scroll">{table}</div>
      </details>
    </figure>
  );
}

/** From / to as the analytics API takes them: UTC days. */
export function lastDays(days: number): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}
