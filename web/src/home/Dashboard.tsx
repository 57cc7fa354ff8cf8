import { type DataOf, unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api.ts';
import { celebrated, countdownTitle } from '../calendar/Countdowns.tsx';
import { shortDay } from '../calendar/dates.ts';
import { useCountdowns } from '../calendar/hooks.ts';
import { useToday } from '../questions/hooks.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';

type Couple = DataOf<'/v1/couples/me', 'get'>;

/** A linked couple's day at a glance, each tile leading to its page. */
export function Dashboard({ couple }: { couple: Couple }) {
  const partnerName = couple.nicknames.forPartner ?? couple.partner?.displayName ?? 'your partner';
  return (
    <div className="dashboard">
      <section className="card tile" aria-labelledby="together-title">
        <h2 id="together-title">You and {partnerName}</h2>
        <p className="big-number">{couple.daysTogether}</p>
        <p>{couple.daysTogether === 1 ? 'day together' : 'days together'}</p>
      </section>
      <QuestionTile />
      <CountdownTile />
      <NotificationsTile />
      <nav className="card tile" aria-labelledby="shortcuts-title">
        <h2 id="shortcuts-title">Go to</h2>
        <ul className="shortcuts">
          <li>
            <Link to="/notes">Love notes</Link>
          </li>
          <li>
            <Link to="/calendar">Calendar</Link>
          </li>
          <li>
            <Link to="/question">Daily question</Link>
          </li>
        </ul>
      </nav>
    </div>
  );
}

function QuestionTile() {
  const today = useToday();
  let state = '';
  if (today.data) {
    const { myAnswer, partnerAnswered, revealed } = today.data;
    state = revealed
      ? 'You both answered: see each other’s answers.'
      : myAnswer !== null
        ? 'You answered; waiting for your partner.'
        : partnerAnswered
          ? 'Your partner answered: your turn.'
          : 'Not answered yet.';
  }
  return (
    <section className="card tile" aria-labelledby="question-title">
      <h2 id="question-title">Today’s question</h2>
      {today.isPending ? (
        <Loading />
      ) : today.error ? (
        <ErrorNotice error={today.error} />
      ) : (
        <>
          <p className="question-preview">{today.data.question.text}</p>
          <p className="hint">{state}</p>
          {today.data.streak > 0 && <p className="hint">{today.data.streak}-day streak</p>}
          <Link to="/question">{today.data.myAnswer === null ? 'Answer it' : 'Open the question'}</Link>
        </>
      )}
    </section>
  );
}

function CountdownTile() {
  const countdowns = useCountdowns();
  const next = celebrated(countdowns.data ?? [])[0];
  return (
    <section className="card tile" aria-labelledby="countdown-title">
      <h2 id="countdown-title">Next countdown</h2>
      {countdowns.isPending ? (
        <Loading />
      ) : countdowns.error ? (
        <ErrorNotice error={countdowns.error} />
      ) : next ? (
        <>
          <p className="big-number">{next.daysLeft === 0 ? 'Today' : next.daysLeft}</p>
          {next.daysLeft > 0 && <p>{next.daysLeft === 1 ? 'day to go' : 'days to go'}</p>}
          <p>
            <strong>{countdownTitle(next)}</strong>
            <br />
            <span className="hint">{shortDay(next.next)}</span>
          </p>
          <Link to="/calendar">All countdowns</Link>
        </>
      ) : (
        <p className="hint">Nothing to count down to yet.</p>
      )}
    </section>
  );
}

function NotificationsTile() {
  const unread = useQuery({
    queryKey: ['home', 'unread'],
    queryFn: () => unwrap(api.GET('/v1/notifications/unread-count')),
  });
  return (
    <section className="card tile" aria-labelledby="unread-title">
      <h2 id="unread-title">Notifications</h2>
      {unread.isPending ? (
        <Loading />
      ) : unread.error ? (
        <ErrorNotice error={unread.error} />
      ) : (
        <>
          <p className="big-number">{unread.data.count}</p>
          <p>unread</p>
        </>
      )}
    </section>
  );
}
