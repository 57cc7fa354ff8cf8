import { shortDay } from '../calendar/dates.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';
import { useHistory } from './hooks.ts';
import { categoryLabel } from './TodayCard.tsx';

/** Earlier days, newest first; "Show older" fetches the next page. */
export function HistoryList() {
  const history = useHistory(true);
  const days = history.data?.pages.flatMap((page) => page.days) ?? [];
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title" className="card-title">
        Earlier questions
      </h2>
      {history.isPending ? (
        <Loading />
      ) : history.error ? (
        <ErrorNotice error={history.error} />
      ) : days.length === 0 ? (
        <p className="hint">Your past questions will appear here.</p>
      ) : (
        <ol className="list history">
          {days.map((day) => (
            <li key={day.day}>
              <h3>
                <span className="hint">
                  {shortDay(day.day)} · {categoryLabel(day.question.category)}
                </span>
                <br />
                {day.question.text}
              </h3>
              <dl className="answers">
                <div>
                  <dt>You</dt>
                  <dd>{day.myAnswer ?? <span className="hint">No answer</span>}</dd>
                </div>
                <div>
                  <dt>Your partner</dt>
                  <dd>
                    {day.revealed ? (
                      day.partnerAnswer
                    ) : (
                      <span className="hint">
                        {day.partnerAnswered ? 'Answered (hidden until you answer)' : 'No answer'}
                      </span>
                    )}
                  </dd>
                </div>
              </dl>
            </li>
          ))}
        </ol>
      )}
      <ErrorNotice error={history.isFetchNextPageError ? history.error : null} />
      {history.hasNextPage && (
        <button
          type="button"
          className="secondary"
          disabled={history.isFetchingNextPage}
          onClick={() => void history.fetchNextPage()}
        >
          {history.isFetchingNextPage ? 'Loading…' : 'Show older questions'}
        </button>
      )}
    </section>
  );
}
