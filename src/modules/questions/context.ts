import type { Platform } from '../../platform/platform.ts';
import type { Bank } from './bank.ts';
import type { QuestionsDeps } from './dependencies.ts';
import type { QuestionsDb } from './tables.ts';

/** Pushes to a user's live connections after a commit; a no-op in tests without realtime. */
export interface LiveSink {
  answered(
    userId: string,
    data: { id: string; day: string; questionId: string; bothAnswered: boolean; at: Date },
  ): void;
}

/** What the questions module's use cases receive, built in index.ts. */
export interface QuestionsContext {
  platform: Platform;
  db: QuestionsDb;
  deps: QuestionsDeps;
  bank: Bank;
  live: LiveSink;
  /** The clock (tests move days forward). */
  now(): Date;
}

export const answerContext = (coupleId: string, day: string, userId: string) =>
  `questions_answers.answer:${coupleId}:${day}:${userId}`;
export const guessContext = (coupleId: string, day: string, userId: string) =>
  `questions_guesses.guess:${coupleId}:${day}:${userId}`;
