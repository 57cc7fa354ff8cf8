import { type Static, Type } from 'typebox';
import { Enveloped } from '../../platform/http/envelope.ts';
import { NonBlankText } from '../../platform/http/text.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const QuestionView = Type.Object({
  id: Type.String({ description: 'Question id in the shipped bank' }),
  category: Type.String({ description: 'Category, e.g. memories, dreams, would-you-rather' }),
  text: Type.String({ description: 'The question (English)' }),
});

const GuessView = Type.Object({
  mine: Nullable(Type.String({ description: 'My guess of my partner’s answer' })),
  mineCorrect: Nullable(Type.Boolean({ description: 'How my partner judged my guess (null: not yet)' })),
  partners: Nullable(
    Type.String({ description: 'My partner’s guess of my answer, once both answered (null otherwise)' }),
  ),
  partnersCorrect: Nullable(Type.Boolean({ description: 'How I judged my partner’s guess (null: not yet)' })),
});

const dayFields = {
  day: Type.String({ format: 'date', description: "The couple's day (in the couple's time zone)" }),
  question: QuestionView,
  myAnswer: Nullable(Type.String({ description: 'My answer, or null' })),
  partnerAnswered: Type.Boolean({ description: 'Whether my partner answered' }),
  partnerAnswer: Nullable(Type.String({ description: 'My partner’s answer, only once both answered' })),
  revealed: Type.Boolean({ description: 'Both answered: the answers are visible to both' }),
  quiz: GuessView,
};
export const DayView = Type.Object(dayFields);
export type DayView = Static<typeof DayView>;

export const TodayView = Type.Object({
  ...dayFields,
  streak: Type.Integer({ description: 'Days in a row both of you answered (today counts once both did)' }),
  timeZone: Type.String({
    description: "The couple's time zone: the one of the partner whose id sorts first",
  }),
});
export type TodayView = Static<typeof TodayView>;

export const AnswerBody = Type.Object(
  {
    answer: NonBlankText({ maxLength: 2000, description: 'My answer, 1–2000 characters; final once given' }),
  },
  { additionalProperties: false },
);

export const GuessBody = Type.Object(
  {
    guess: NonBlankText({
      maxLength: 2000,
      description: "My guess of my partner's answer to today's question, before their answer is revealed",
    }),
  },
  { additionalProperties: false },
);

export const JudgeBody = Type.Object(
  {
    day: Type.String({ format: 'date', description: 'The day of the question (YYYY-MM-DD)' }),
    correct: Type.Boolean({ description: 'Whether my partner guessed my answer right' }),
  },
  { additionalProperties: false },
);

export const ScoreView = Type.Object({
  judged: Type.Integer({ description: 'My guesses my partner judged' }),
  correct: Type.Integer({ description: 'Of those, the right ones' }),
  score: Nullable(Type.Number({ description: 'correct / judged (0–1), null before any judged guess' })),
  partner: Type.Object({
    judged: Type.Integer({ description: 'My partner’s guesses I judged' }),
    correct: Type.Integer({ description: 'Of those, the right ones' }),
    score: Nullable(Type.Number({ description: 'correct / judged (0–1)' })),
  }),
  months: Type.Array(
    Type.Object({
      month: Type.String({ description: 'YYYY-MM' }),
      judged: Type.Integer({ description: 'My judged guesses that month' }),
      correct: Type.Integer({ description: 'The right ones' }),
    }),
    { description: 'My match score over time, the last 12 months with guesses, oldest first' },
  ),
});

export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size' })),
    cursor: Type.Optional(
      Type.String({ maxLength: 512, description: 'meta.nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

export const Responses = {
  today: Enveloped(TodayView),
  day: Enveloped(DayView),
  score: Enveloped(ScoreView),
};
