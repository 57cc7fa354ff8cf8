import { randomInt } from 'node:crypto';
import { DateTime } from 'luxon';
import { publish } from '../../platform/bus/publish.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { AppError, conflict, notFound, validationError } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { forgetToday, nextLocalMidnight } from './cache.ts';
import { answerContext, guessContext, type QuestionsContext } from './context.ts';
import type { CoupleFacts } from './dependencies.ts';
import type { DayView, TodayView } from './schemas.ts';
import type { DayRow, QuestionsTrx } from './tables.ts';

/** The daily question: one per couple per day, answers hidden until both answered, streaks and history. */

const noPartner = () =>
  new AppError(409, 'CONFLICT', 'Daily questions are for couples: link with your partner first');

async function coupleOf(ctx: QuestionsContext, userId: string): Promise<CoupleFacts & { partnerId: string }> {
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  if (!couple?.partnerId) throw noPartner();
  return couple as CoupleFacts & { partnerId: string };
}

/** The couple's time zone: the profile zone of the partner whose id sorts first, so both see the same day. */
async function coupleZone(ctx: QuestionsContext, userId: string, partnerId: string): Promise<string> {
  return ctx.deps.timeZoneOf(ctx.platform, userId < partnerId ? userId : partnerId);
}

export async function todayOf(
  ctx: QuestionsContext,
  userId: string,
  partnerId: string,
  now = ctx.now(),
): Promise<{ day: string; zone: string }> {
  const zone = await coupleZone(ctx, userId, partnerId);
  return { day: DateTime.fromJSDate(now, { zone }).toISODate() as string, zone };
}

/**
 * The couple's question of `day`, chosen on first ask: a random question not
 * yet asked in the current cycle; when the bank is used up, a new cycle starts.
 * Two partners asking at once both get the first one chosen.
 */
export async function questionOfDay(ctx: QuestionsContext, coupleId: string, day: string): Promise<DayRow> {
  const existing = await findDay(ctx, coupleId, day);
  if (existing) return existing;
  await ctx.db.transaction().execute(async (trx) => {
    // One chooser at a time per couple, so two days never take the same question in a cycle.
    await trx
      .selectNoFrom((eb) => eb.fn('pg_advisory_xact_lock', [eb.val(lockKey(coupleId))]).as('locked'))
      .execute();
    if (await findDay(ctx, coupleId, day, trx)) return;
    const last = await trx
      .selectFrom('questions_days')
      .select((eb) => eb.fn.max('cycle').as('cycle'))
      .where('couple_id', '=', coupleId)
      .executeTakeFirst();
    let cycle = last?.cycle ?? 0;
    const used = new Set(
      (
        await trx
          .selectFrom('questions_days')
          .select('question_id')
          .where('couple_id', '=', coupleId)
          .where('cycle', '=', cycle)
          .execute()
      ).map((row) => row.question_id),
    );
    let left = ctx.bank.questions.filter((q) => !used.has(q.id));
    if (left.length === 0) {
      cycle += 1;
      left = [...ctx.bank.questions];
    }
    const question = left[randomInt(left.length)];
    if (!question) throw new Error('the question bank is empty');
    await trx
      .insertInto('questions_days')
      .values({ couple_id: coupleId, day, question_id: question.id, cycle })
      .onConflict((oc) => oc.columns(['couple_id', 'day']).doNothing())
      .execute();
  });
  const chosen = await findDay(ctx, coupleId, day);
  if (!chosen) throw new Error('the question of the day was not stored');
  return chosen;
}

/** A 64-bit advisory lock key from a couple id. */
function lockKey(coupleId: string): string {
  return BigInt.asIntN(64, BigInt(`0x${coupleId.replaceAll('-', '').slice(0, 16)}`)).toString();
}

function findDay(ctx: QuestionsContext, coupleId: string, day: string, trx?: QuestionsTrx) {
  return (trx ?? ctx.db)
    .selectFrom('questions_days')
    .selectAll()
    .where('couple_id', '=', coupleId)
    .where('day', '=', day)
    .executeTakeFirst();
}

/** One day as `userId` sees it: the partner's answer and guess only once both answered. */
async function viewOf(ctx: QuestionsContext, userId: string, row: DayRow): Promise<DayView> {
  const answers = await ctx.db
    .selectFrom('questions_answers')
    .selectAll()
    .where('couple_id', '=', row.couple_id)
    .where('day', '=', row.day)
    .execute();
  const guesses = await ctx.db
    .selectFrom('questions_guesses')
    .selectAll()
    .where('couple_id', '=', row.couple_id)
    .where('day', '=', row.day)
    .execute();
  return assemble(ctx, userId, row, answers, guesses);
}

type Answers = Awaited<ReturnType<typeof answersOfDays>>;

function assemble(
  ctx: QuestionsContext,
  userId: string,
  row: DayRow,
  answers: Answers['answers'],
  guesses: Answers['guesses'],
): DayView {
  const question = ctx.bank.byId.get(row.question_id) ?? {
    id: row.question_id,
    category: 'retired',
    text: 'This question is no longer in the bank',
  };
  const mine = answers.find((a) => a.user_id === userId);
  const theirs = answers.find((a) => a.user_id !== userId);
  const revealed = mine !== undefined && theirs !== undefined;
  const myGuess = guesses.find((g) => g.guesser_id === userId);
  const theirGuess = guesses.find((g) => g.guesser_id !== userId);
  const decrypt = (text: string, context: string) => ctx.platform.encryption.decrypt(text, context);
  return {
    day: row.day,
    question: { id: question.id, category: question.category, text: question.text },
    myAnswer: mine ? decrypt(mine.answer, answerContext(row.couple_id, row.day, userId)) : null,
    partnerAnswered: theirs !== undefined,
    partnerAnswer:
      revealed && theirs
        ? decrypt(theirs.answer, answerContext(row.couple_id, row.day, theirs.user_id))
        : null,
    revealed,
    quiz: {
      mine: myGuess ? decrypt(myGuess.guess, guessContext(row.couple_id, row.day, userId)) : null,
      mineCorrect: myGuess?.correct ?? null,
      partners:
        revealed && theirGuess
          ? decrypt(theirGuess.guess, guessContext(row.couple_id, row.day, theirGuess.guesser_id))
          : null,
      partnersCorrect: theirGuess?.correct ?? null,
    },
  };
}

/**
 * Days in a row, ending today (or yesterday while today is still open),
 * on which both partners answered.
 */
export async function streakOf(ctx: QuestionsContext, coupleId: string, today: string): Promise<number> {
  const rows = await ctx.db
    .selectFrom('questions_answers')
    .select(['day'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('couple_id', '=', coupleId)
    .where('day', '<=', today)
    .groupBy('day')
    .having((eb) => eb.fn.countAll(), '>=', 2)
    .orderBy('day', 'desc')
    .limit(3660)
    .execute();
  let expected = DateTime.fromISO(today);
  let streak = 0;
  for (const [index, row] of rows.entries()) {
    const day = DateTime.fromISO(row.day);
    if (index === 0 && day < expected) expected = expected.minus({ days: 1 });
    if (!day.equals(expected)) break;
    streak += 1;
    expected = expected.minus({ days: 1 });
  }
  return streak;
}

export async function getToday(ctx: QuestionsContext, user: AuthUser): Promise<TodayView> {
  return (await todayAndLifetime(ctx, user)).view;
}

/** Today's view, and for the response cache when it turns wrong without any write: at the local midnight. */
export async function todayAndLifetime(
  ctx: QuestionsContext,
  user: AuthUser,
): Promise<{ view: TodayView; endsAt: Date }> {
  const couple = await coupleOf(ctx, user.id);
  const now = ctx.now();
  const { day, zone } = await todayOf(ctx, user.id, couple.partnerId, now);
  const row = await questionOfDay(ctx, couple.coupleId, day);
  const view = {
    ...(await viewOf(ctx, user.id, row)),
    streak: await streakOf(ctx, couple.coupleId, day),
    timeZone: zone,
  };
  return { view, endsAt: nextLocalMidnight(now, zone) };
}

export async function answerToday(ctx: QuestionsContext, user: AuthUser, answer: string): Promise<TodayView> {
  const couple = await coupleOf(ctx, user.id);
  const { day } = await todayOf(ctx, user.id, couple.partnerId);
  const row = await questionOfDay(ctx, couple.coupleId, day);
  const at = ctx.now();
  const id = newId();
  const bothAnswered = await ctx.db.transaction().execute(async (trx) => {
    const active = await ctx.deps.lockActiveCouples(trx, [couple.coupleId]);
    if (!active.has(couple.coupleId)) throw noPartner();
    const inserted = await trx
      .insertInto('questions_answers')
      .values({
        couple_id: couple.coupleId,
        day,
        user_id: user.id,
        id,
        answer: ctx.platform.encryption.encrypt(answer, answerContext(couple.coupleId, day, user.id)),
        answered_at: at,
      })
      .onConflict((oc) => oc.columns(['couple_id', 'day', 'user_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw conflict('You already answered today’s question');
    const partner = await trx
      .selectFrom('questions_answers')
      .select('user_id')
      .where('couple_id', '=', couple.coupleId)
      .where('day', '=', day)
      .where('user_id', '=', couple.partnerId)
      .executeTakeFirst();
    await publish(
      trx,
      'questions.answered',
      {
        coupleId: couple.coupleId,
        day,
        questionId: row.question_id,
        userId: user.id,
        partnerId: couple.partnerId,
        bothAnswered: partner !== undefined,
      },
      { coupleId: couple.coupleId, actorId: user.id },
    );
    return partner !== undefined;
  });
  // After the commit, before the answer: both partners' cached days (cache.ts).
  await forgetToday(ctx.platform, [user.id, couple.partnerId]);
  ctx.live.answered(couple.partnerId, { id, day, questionId: row.question_id, bothAnswered, at });
  return getToday(ctx, user);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

async function answersOfDays(ctx: QuestionsContext, coupleId: string, days: string[]) {
  if (days.length === 0) return { answers: [], guesses: [] };
  const answers = await ctx.db
    .selectFrom('questions_answers')
    .selectAll()
    .where('couple_id', '=', coupleId)
    .where('day', 'in', days)
    .execute();
  const guesses = await ctx.db
    .selectFrom('questions_guesses')
    .selectAll()
    .where('couple_id', '=', coupleId)
    .where('day', 'in', days)
    .execute();
  return { answers, guesses };
}

/** Past and present days of the couple, newest first. */
export async function history(
  ctx: QuestionsContext,
  user: AuthUser,
  query: { limit?: number; cursor?: string },
): Promise<Page<DayView>> {
  const couple = await coupleOf(ctx, user.id);
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ day: string }>(query.cursor, ['day']);
  if (after && !DAY.test(String(after.day))) throw validationError('cursor is not valid', 'cursor');
  let select = ctx.db.selectFrom('questions_days').selectAll().where('couple_id', '=', couple.coupleId);
  if (after) select = select.where('day', '<', after.day);
  const rows = await select
    .orderBy('day', 'desc')
    .limit(limit + 1)
    .execute();
  const page = toPage(rows, limit, (row) => ({ day: row.day }));
  const { answers, guesses } = await answersOfDays(
    ctx,
    couple.coupleId,
    page.items.map((row) => row.day),
  );
  return {
    items: page.items.map((row) =>
      assemble(
        ctx,
        user.id,
        row,
        answers.filter((a) => a.day === row.day),
        guesses.filter((g) => g.day === row.day),
      ),
    ),
    nextCursor: page.nextCursor,
  };
}

export { coupleOf, notFound, viewOf };
