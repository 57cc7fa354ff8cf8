import { type FormEvent, useState } from 'react';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { type Today, useQuestionMutations } from './hooks.ts';

const verdict = (correct: boolean | null) =>
  correct === null ? 'not judged yet' : correct ? 'right' : 'wrong';

/**
 * "How well do you know me": guess the partner's answer before the reveal;
 * after it, judge their guess of yours. The API says what is allowed when.
 */
export function QuizCard({ today }: { today: Today }) {
  const { guess, judge } = useQuestionMutations();
  const [text, setText] = useState('');
  const { quiz } = today;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    guess.mutate(text.trim());
  }

  return (
    <section className="card" aria-labelledby="quiz-title">
      <h2 id="quiz-title" className="card-title">
        How well do you know me?
      </h2>
      {quiz.mine === null ? (
        today.revealed ? (
          <p className="hint">You did not guess today. Guess before you both answer tomorrow.</p>
        ) : (
          <form className="form" onSubmit={submit} noValidate>
            <Field
              label="Your guess of your partner's answer"
              value={text}
              onChange={(e) => setText(e.target.value)}
              maxLength={2000}
              required
              error={fieldError(guess.error, 'guess')}
            />
            {!fieldError(guess.error, 'guess') && <ErrorNotice error={guess.error} />}
            <div className="row">
              <button type="submit" disabled={guess.isPending}>
                Send my guess
              </button>
            </div>
          </form>
        )
      ) : (
        <p>
          Your guess: <strong>{quiz.mine}</strong>
          <br />
          <span className="hint">
            {today.revealed
              ? `Your partner judged it: ${verdict(quiz.mineCorrect)}.`
              : 'Your partner judges it once you have both answered.'}
          </span>
        </p>
      )}
      {today.revealed && quiz.partners !== null && (
        <div className="judge">
          <p>
            Your partner guessed your answer: <strong>{quiz.partners}</strong>
          </p>
          {quiz.partnersCorrect === null ? (
            <fieldset className="row plain">
              <legend>Was it right?</legend>
              <button
                type="button"
                disabled={judge.isPending}
                onClick={() => judge.mutate({ day: today.day, correct: true })}
              >
                Right
              </button>
              <button
                type="button"
                className="secondary"
                disabled={judge.isPending}
                onClick={() => judge.mutate({ day: today.day, correct: false })}
              >
                Wrong
              </button>
            </fieldset>
          ) : (
            <p className="hint">You judged it {verdict(quiz.partnersCorrect)}.</p>
          )}
          <ErrorNotice error={judge.error} />
        </div>
      )}
      {today.revealed && quiz.partners === null && <p className="hint">Your partner did not guess today.</p>}
    </section>
  );
}
