import { type FormEvent, useState } from 'react';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { TextArea } from '../ui/Field.tsx';
import { type Today, useQuestionMutations } from './hooks.ts';

export const categoryLabel = (category: string) => category.replaceAll('-', ' ');

/** Today's question: answer once; the partner's answer shows when both answered (the API's rule). */
export function TodayCard({ today }: { today: Today }) {
  const { answer } = useQuestionMutations();
  const [text, setText] = useState('');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    answer.mutate(text.trim());
  }

  return (
    <section className="card" aria-labelledby="today-question">
      <p className="hint question-meta">
        <span className="tag">{categoryLabel(today.question.category)}</span>
        {today.streak > 0 && <span>{today.streak}-day streak</span>}
      </p>
      <h2 id="today-question" className="question-text">
        {today.question.text}
      </h2>
      {today.myAnswer === null ? (
        <form className="form" onSubmit={submit} noValidate>
          <TextArea
            label="Your answer"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={2000}
            rows={3}
            required
            error={fieldError(answer.error, 'answer')}
          />
          <p className="hint">
            {today.partnerAnswered
              ? 'Your partner has answered: answer to see theirs.'
              : 'Your answers are revealed once you have both answered. You cannot change it afterwards.'}
          </p>
          {!fieldError(answer.error, 'answer') && <ErrorNotice error={answer.error} />}
          <div className="row">
            <button type="submit" disabled={answer.isPending}>
              Send my answer
            </button>
          </div>
        </form>
      ) : (
        <dl className="answers">
          <div>
            <dt>Your answer</dt>
            <dd>{today.myAnswer}</dd>
          </div>
          <div>
            <dt>Your partner's answer</dt>
            <dd>
              {today.revealed ? (
                today.partnerAnswer
              ) : (
                <span className="hint">Waiting for your partner to answer…</span>
              )}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}
