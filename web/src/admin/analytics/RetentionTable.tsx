import { unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading } from '../../ui/Page.tsx';
import { count, share } from '../format.ts';
import { heat } from './heat.ts';

type Cohort = 'day' | 'week' | 'month';
const PERIOD_NAME: Record<Cohort, string> = { day: 'Day', week: 'Week', month: 'Month' };

/** Retention by cohort as a heat map: a real table, each cell's number written in it. */
export function RetentionTable({ range }: { range: { from: string; to: string } }) {
  const [cohort, setCohort] = useState<Cohort>('week');
  const selectId = useId();
  const retention = useQuery({
    queryKey: ['admin', 'analytics', 'retention', cohort, range],
    queryFn: () =>
      unwrap(
        api.GET('/v1/admin/analytics/retention', { params: { query: { cohort, periods: 8, ...range } } }),
      ),
  });
  const periods = Math.max(0, ...(retention.data?.cohorts.map((c) => c.retained.length) ?? [0]));
  return (
    <section className="card" aria-labelledby="retention-title">
      <div className="page-header">
        <h2 id="retention-title">Retention by cohort</h2>
        <div className="field inline">
          <label htmlFor={selectId}>Cohorts by</label>
          <select id={selectId} value={cohort} onChange={(event) => setCohort(event.target.value as Cohort)}>
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
          </select>
        </div>
      </div>
      {retention.isPending ? (
        <Loading what="Loading retention" />
      ) : retention.error ? (
        <ErrorNotice error={retention.error} />
      ) : retention.data.cohorts.length === 0 ? (
        <p>No cohorts in this period yet (the rollup runs every five minutes).</p>
      ) : (
        <div className="table-scroll">
          <table className="heatmap">
            <caption className="hint">
              Each row is the people first active in that {cohort}; each cell, the share of them active{' '}
              {periods > 1 ? `0 to ${periods - 1} ${cohort}s later` : 'in it'}, with the number of people.
            </caption>
            <thead>
              <tr>
                <th scope="col">Cohort</th>
                <th scope="col">People</th>
                {Array.from({ length: periods }, (_, k) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the period number is the column
                  <th scope="col" key={k}>
                    {PERIOD_NAME[cohort]} {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {retention.data.cohorts.map((row) => (
                <tr key={row.cohort}>
                  <th scope="row">{row.cohort}</th>
                  <td>{count(row.size)}</td>
                  {Array.from({ length: periods }, (_, k) => {
                    const rate = row.rates[k];
                    const people = row.retained[k];
                    return rate === undefined || people === undefined ? (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the period number is the column
                      <td key={k} className="empty">
                        –
                      </td>
                    ) : (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the period number is the column
                      <td key={k} style={heat(rate)}>
                        {share(rate)} <small>({count(people)})</small>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
