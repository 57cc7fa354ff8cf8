import { sql } from 'kysely';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { conflict, notFound } from '../../platform/http/errors.ts';
import { forgetToday } from './cache.ts';
import { guessContext, type QuestionsContext } from './context.ts';
import type { DayView, TodayView } from './schemas.ts';
import { coupleOf, getToday, questionOfDay, todayOf, viewOf } from './service.ts';

/**
 * "How well do you know me": before the answers are revealed, each partner
 * may guess the other's answer to the day's question; once both answered,
 * the one whose answer was guessed judges the guess right or wrong. The
 * match score is the share of judged guesses that were right, over time.
 */

export async function guessToday(ctx: QuestionsContext, user: AuthUser, guess: string): Promise<TodayView> {
  const couple = await coupleOf(ctx, user.id);
  const { day } = await todayOf(ctx, user.id, couple.partnerId);
  await questionOfDay(ctx, couple.coupleId, day);
  const answered = await ctx.db
    .selectFrom('questions_answers')
    .select('user_id')
    .where('couple_id', '=', couple.coupleId)
    .where('day', '=', day)
    .execute();
  if (answered.length >= 2) throw conflict('The answers are revealed: it is too late to guess');
  const inserted = await ctx.db
    .insertInto('questions_guesses')
    .values({
      couple_id: couple.coupleId,
      day,
      guesser_id: user.id,
      guess: ctx.platform.encryption.encrypt(guess, guessContext(couple.coupleId, day, user.id)),
      guessed_at: ctx.now(),
    })
    .onConflict((oc) => oc.columns(['couple_id', 'day', 'guesser_id']).doNothing())
    .returning('day')
    .executeTakeFirst();
  if (!inserted) throw conflict('You already guessed today');
  await forgetToday(ctx.platform, [user.id, couple.partnerId]);
  return getToday(ctx, user);
}

/** Judges the partner's guess of my answer on `day`, once both answered; once only. */
export async function judge(
  ctx: QuestionsContext,
  user: AuthUser,
  day: string,
  correct: boolean,
): Promise<DayView> {
  const couple = await coupleOf(ctx, user.id);
  const row = await ctx.db
    .selectFrom('questions_days')
    .selectAll()
    .where('couple_id', '=', couple.coupleId)
    .where('day', '=', day)
    .executeTakeFirst();
  if (!row) throw notFound('Question of day', day);
  const view = await viewOf(ctx, user.id, row);
  if (!view.revealed || view.quiz.partners === null) throw notFound('Partner guess of day', day);
  const judged = await ctx.db
    .updateTable('questions_guesses')
    .set({ correct, judged_at: ctx.now() })
    .where('couple_id', '=', couple.coupleId)
    .where('day', '=', day)
    .where('guesser_id', '=', couple.partnerId)
    .where('correct', 'is', null)
    .returning('day')
    .executeTakeFirst();
  if (!judged) throw conflict('You already judged this guess');
  // The judged day may be today: both partners' cached days show the judgement.
  await forgetToday(ctx.platform, [user.id, couple.partnerId]);
  return viewOf(ctx, user.id, row);
}

const ratio = (correct: number, judged: number) =>
  judged === 0 ? null : Math.round((correct / judged) * 1000) / 1000;

export async function score(ctx: QuestionsContext, user: AuthUser) {
  const couple = await coupleOf(ctx, user.id);
  const totals = await ctx.db
    .selectFrom('questions_guesses')
    .select(['guesser_id'])
    .select((eb) => [
      eb.fn.countAll<number>().as('judged'),
      eb.fn.count<number>(sql`case when correct then 1 end`).as('correct'),
    ])
    .where('couple_id', '=', couple.coupleId)
    .where('correct', 'is not', null)
    .groupBy('guesser_id')
    .execute();
  const months = await ctx.db
    .selectFrom('questions_guesses')
    .select(sql<string>`to_char(day, 'YYYY-MM')`.as('month'))
    .select((eb) => [
      eb.fn.countAll<number>().as('judged'),
      eb.fn.count<number>(sql`case when correct then 1 end`).as('correct'),
    ])
    .where('couple_id', '=', couple.coupleId)
    .where('guesser_id', '=', user.id)
    .where('correct', 'is not', null)
    .groupBy(sql`to_char(day, 'YYYY-MM')`)
    .orderBy(sql`to_char(day, 'YYYY-MM')`, 'desc')
    .limit(12)
    .execute();
  const of = (id: string) => totals.find((row) => row.guesser_id === id) ?? { judged: 0, correct: 0 };
  const mine = of(user.id);
  const theirs = of(couple.partnerId);
  return {
    judged: Number(mine.judged),
    correct: Number(mine.correct),
    score: ratio(Number(mine.correct), Number(mine.judged)),
    partner: {
      judged: Number(theirs.judged),
      correct: Number(theirs.correct),
      score: ratio(Number(theirs.correct), Number(theirs.judged)),
    },
    months: months
      .map((row) => ({ month: row.month, judged: Number(row.judged), correct: Number(row.correct) }))
      .reverse(),
  };
}
