import { count } from '../format.ts';
import { useLiveStats } from './useLiveStats.ts';

const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** Right now: from the counters behind the live stream, updated every second. */
export function LiveCounters() {
  const { status, stats } = useLiveStats();
  return (
    <section className="card" aria-labelledby="live-title">
      <div className="page-header">
        <h2 id="live-title">Right now</h2>
        <span className={status === 'live' ? 'live on' : 'live'} role="status">
          {status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      </div>
      {/* Not a live region: a number changing every second would drown out everything else. */}
      <dl className="counters">
        <div>
          <dt>Active users (last 5 minutes)</dt>
          <dd>{stats ? count(stats.activeUsers) : '–'}</dd>
        </div>
        <div>
          <dt>Events per second</dt>
          <dd>{stats ? oneDecimal.format(stats.eventsPerSecond) : '–'}</dd>
        </div>
        <div>
          <dt>Love notes sent (last minute)</dt>
          <dd>{stats ? count(stats.notesPerMinute) : '–'}</dd>
        </div>
      </dl>
    </section>
  );
}
