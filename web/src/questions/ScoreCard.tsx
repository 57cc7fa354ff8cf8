import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';
import { useScore } from './hooks.ts';

const share = (correct: number, judged: number) =>
  judged === 0
    ? 'no judged guesses yet'
    : `${correct} of ${judged} right (${Math.round((correct / judged) * 100)}%)`;

/** The match score: how often each of you guessed the other right. */
export function ScoreCard() {
  const score = useScore(true);
  return (
    <section className="card" aria-labelledby="score-title">
      <h2 id="score-title" className="card-title">
        Match score
      </h2>
      {score.isPending ? (
        <Loading />
      ) : score.error ? (
        <ErrorNotice error={score.error} />
      ) : (
        <>
          <dl className="answers">
            <div>
              <dt>Your guesses</dt>
              <dd>{share(score.data.correct, score.data.judged)}</dd>
            </div>
            <div>
              <dt>Your partner's guesses</dt>
              <dd>{share(score.data.partner.correct, score.data.partner.judged)}</dd>
            </div>
          </dl>
          {score.data.months.length > 1 && (
            <table>
              <caption className="hint">Your guesses by month</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Right</th>
                  <th scope="col">Judged</th>
                </tr>
              </thead>
              <tbody>
                {score.data.months.map((month) => (
                  <tr key={month.month}>
                    <td>{month.month}</td>
                    <td>{month.correct}</td>
                    <td>{month.judged}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
