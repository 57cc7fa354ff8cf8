import { unwrap } from '@one2one/client';
import { useQueries } from '@tanstack/react-query';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../../api.ts';
import { type Column, DataTable } from '../../ui/DataTable.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading } from '../../ui/Page.tsx';
import { count } from '../format.ts';
import { ChartFigure } from './ChartFigure.tsx';

const INTERVALS = ['day', 'week', 'month'] as const;

/** The bucket a day falls in: its ISO week's Monday, or the first of its month (UTC). */
function bucketOf(day: string, interval: 'week' | 'month'): string {
  if (interval === 'month') return `${day.slice(0, 8)}01`;
  const date = new Date(`${day}T00:00:00Z`);
  const back = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

function everyDay({ from, to }: { from: string; to: string }): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

interface DayRow {
  day: string;
  DAU: number;
  WAU: number;
  MAU: number;
}

const TABLE_COLUMNS: ReadonlyArray<Column<DayRow>> = [
  { header: 'Day', rowHeader: true, cell: (row) => row.day },
  { header: 'DAU', cell: (row) => count(row.DAU) },
  { header: 'WAU', cell: (row) => count(row.WAU) },
  { header: 'MAU', cell: (row) => count(row.MAU) },
];

/** DAU per day, with the WAU and MAU of the week and month each day belongs to. */
export function ActiveUsersChart({ range }: { range: { from: string; to: string } }) {
  const results = useQueries({
    queries: INTERVALS.map((interval) => ({
      queryKey: ['admin', 'analytics', 'active-users', interval, range],
      queryFn: () =>
        unwrap(api.GET('/v1/admin/analytics/active-users', { params: { query: { interval, ...range } } })),
    })),
  });
  const error = results.find((r) => r.error)?.error;
  if (error) return <ErrorNotice error={error} />;
  const [days, weeks, months] = results.map((r) => r.data);
  if (!days || !weeks || !months) return <Loading what="Loading active users" />;
  const weekly = new Map(weeks.points.map((p) => [p.period, p.users]));
  const monthly = new Map(months.points.map((p) => [p.period, p.users]));
  // The API lists only days with activity; a quiet day is a real zero on the chart.
  const daily = new Map(days.points.map((p) => [p.period, p.users]));
  const data: DayRow[] = everyDay(range).map((day) => ({
    day,
    DAU: daily.get(day) ?? 0,
    WAU: weekly.get(bucketOf(day, 'week')) ?? 0,
    MAU: monthly.get(bucketOf(day, 'month')) ?? 0,
  }));
  const last = data.at(-1);
  const peak = data.reduce((max, p) => Math.max(max, p.DAU), 0);
  const summary = last
    ? `From ${range.from} to ${range.to}: ${count(last.DAU)} active users on the last day, ${count(last.WAU)} that week, ${count(last.MAU)} that month; the busiest day had ${count(peak)}.`
    : 'No activity in this period yet.';
  return (
    <ChartFigure
      id="active-users"
      title="Active users (DAU, WAU, MAU)"
      summary={summary}
      chart={
        <LineChart
          responsive
          style={{ width: '100%', height: 280 }}
          data={data}
          title="Active users over time"
        >
          <CartesianGrid stroke="#e8d8dc" />
          <XAxis dataKey="day" tick={{ fill: '#5f4a50', fontSize: 12 }} />
          <YAxis allowDecimals={false} tick={{ fill: '#5f4a50', fontSize: 12 }} width={40} />
          <Tooltip />
          <Legend />
          <Line type="monotone" dataKey="DAU" stroke="#b0234f" strokeWidth={2} dot={false} />
          <Line
            type="stepAfter"
            dataKey="WAU"
            stroke="#1b4fd8"
            strokeWidth={2}
            dot={false}
            strokeDasharray="6 3"
          />
          <Line
            type="stepAfter"
            dataKey="MAU"
            stroke="#1d6b36"
            strokeWidth={2}
            dot={false}
            strokeDasharray="2 3"
          />
        </LineChart>
      }
      table={
        <DataTable
          caption="Active users per day, with that day's week and month"
          columns={TABLE_COLUMNS}
          rows={data}
          rowKey={(row) => row.day}
        />
      }
    />
  );
}
