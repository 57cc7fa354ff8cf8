import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';

/** Kysely types of the questions module's tables (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A `date` column, read as YYYY-MM-DD (the pg type parser is set for dates). */
type Day = ColumnType<string, string, string>;

export interface QuestionsTables {
  questions_days: {
    couple_id: string;
    day: Day;
    question_id: string;
    cycle: number;
    created_at: Timestamp;
  };
  questions_answers: {
    couple_id: string;
    day: Day;
    user_id: string;
    /** Also the id of the live event that told the partner. */
    id: string;
    /** Encrypted at rest (field encryption, bound to couple, day and user). */
    answer: string;
    answered_at: Timestamp;
  };
  questions_guesses: {
    couple_id: string;
    day: Day;
    guesser_id: string;
    /** Encrypted at rest, like answers. */
    guess: string;
    guessed_at: Timestamp;
    /** Judged by the partner whose answer was guessed; null until then. */
    correct: boolean | null;
    judged_at: NullableTimestamp;
  };
  outbox_events: Record<string, unknown>;
}

export type QuestionsDb = Kysely<QuestionsTables>;
export type QuestionsTrx = Transaction<QuestionsTables>;
export type DayRow = Selectable<QuestionsTables['questions_days']>;
export type AnswerRow = Selectable<QuestionsTables['questions_answers']>;
