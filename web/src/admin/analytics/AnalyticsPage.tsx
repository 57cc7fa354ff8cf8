import { useId, useMemo, useState } from 'react';
import { Page } from '../../ui/Page.tsx';
import { ActiveUsersChart } from './ActiveUsersChart.tsx';
import { lastDays } from './ChartFigure.tsx';
import { FunnelChart } from './FunnelChart.tsx';
import { LiveCounters } from './LiveCounters.tsx';
import { RetentionTable } from './RetentionTable.tsx';

/** /admin/analytics: live counters, active users, retention cohorts and a funnel. */
export function AnalyticsPage() {
  const [days, setDays] = useState(30);
  const range = useMemo(() => lastDays(days), [days]);
  const periodId = useId();
  return (
    <Page
      title="Analytics"
      actions={
        <div className="field inline">
          <label htmlFor={periodId}>Period</label>
          <select id={periodId} value={days} onChange={(event) => setDays(Number(event.target.value))}>
            <option value={7}>Last 7 days</option>
            <option value={30}>Last 30 days</option>
            <option value={90}>Last 90 days</option>
          </select>
        </div>
      }
    >
      <LiveCounters />
      <p className="hint">Daily figures come from rollups that run every five minutes; today's may lag.</p>
      <ActiveUsersChart range={range} />
      <RetentionTable range={range} />
      <FunnelChart range={range} />
    </Page>
  );
}
