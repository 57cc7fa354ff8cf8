import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { forgetToday } from './cache.ts';
import { answerContext, guessContext } from './context.ts';
import { defaultDeps } from './dependencies.ts';
import type { QuestionsDb } from './tables.ts';

/** A person's answers and guesses (decrypted for their export); erasure deletes them. */
export const questionsPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as QuestionsDb;
    const answers = await db
      .selectFrom('questions_answers as a')
      .innerJoin('questions_days as d', (join) =>
        join.onRef('d.couple_id', '=', 'a.couple_id').onRef('d.day', '=', 'a.day'),
      )
      .select(['a.couple_id', 'a.day', 'a.answer', 'a.answered_at', 'd.question_id'])
      .where('a.user_id', '=', userId)
      .orderBy('a.day')
      .execute();
    const guesses = await db
      .selectFrom('questions_guesses')
      .selectAll()
      .where('guesser_id', '=', userId)
      .orderBy('day')
      .execute();
    return {
      answers: answers.map((a) => ({
        day: a.day,
        questionId: a.question_id,
        answer: platform.encryption.decrypt(a.answer, answerContext(a.couple_id, a.day, userId)),
        answeredAt: a.answered_at,
      })),
      guesses: guesses.map((g) => ({
        day: g.day,
        guess: platform.encryption.decrypt(g.guess, guessContext(g.couple_id, g.day, userId)),
        correct: g.correct,
      })),
    };
  },
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as QuestionsDb;
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('questions_answers').where('user_id', '=', userId).execute();
      await trx.deleteFrom('questions_guesses').where('guesser_id', '=', userId).execute();
    });
    // The partner's cached day showed these answers ("answered", revealed): it goes too (cache.ts).
    // A couple already closed shows no day to anyone, and unlinking cleared its entries.
    const couple = await defaultDeps.coupleOf(platform, userId);
    await forgetToday(platform, [userId, couple?.partnerId ?? null]);
  },
};
