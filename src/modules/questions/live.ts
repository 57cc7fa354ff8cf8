import { eventId, isAfter, type LiveEvent, type LivePosition } from '../../platform/realtime/live-events.ts';
import type { LiveHub } from '../../platform/realtime/live-hub.ts';
import type { LiveSink, QuestionsContext } from './context.ts';

declare module '../../platform/realtime/live-events.ts' {
  interface LiveEventMap {
    /** The partner answered today's question; `bothAnswered` means the answers are now revealed. */
    'questions.partner-answered': { day: string; questionId: string; bothAnswered: boolean };
  }
}

export const QUESTIONS_LIVE = ['questions.partner-answered'] as const;

/** The partner's open connections hear of an answer at once; ids come from the answer row. */
export function liveSink(hub: LiveHub): LiveSink {
  return {
    answered(userId, data) {
      hub.push(userId, {
        type: 'questions.partner-answered',
        id: eventId(data.at, data.id),
        data: { day: data.day, questionId: data.questionId, bothAnswered: data.bothAnswered },
      });
    },
  };
}

/** What a reconnecting client missed: the partner's answers since `since`, from the answers table. */
export async function missedSince(
  ctx: QuestionsContext,
  userId: string,
  since: LivePosition,
): Promise<LiveEvent[]> {
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  if (!couple?.partnerId) return [];
  const rows = await ctx.db
    .selectFrom('questions_answers as p')
    .innerJoin('questions_days as d', (join) =>
      join.onRef('d.couple_id', '=', 'p.couple_id').onRef('d.day', '=', 'p.day'),
    )
    .leftJoin('questions_answers as mine', (join) =>
      join
        .onRef('mine.couple_id', '=', 'p.couple_id')
        .onRef('mine.day', '=', 'p.day')
        .on('mine.user_id', '=', userId),
    )
    .select(['p.id', 'p.day', 'p.answered_at', 'd.question_id', 'mine.answered_at as mine_at'])
    .where('p.couple_id', '=', couple.coupleId)
    .where('p.user_id', '=', couple.partnerId)
    .where('p.answered_at', '>=', since.at)
    .orderBy('p.answered_at')
    .limit(100)
    .execute();
  return rows
    .map(
      (row): LiveEvent => ({
        type: 'questions.partner-answered',
        id: eventId(row.answered_at, row.id),
        data: {
          day: row.day,
          questionId: row.question_id,
          // Whether mine came first: then the partner's answer revealed both.
          bothAnswered: row.mine_at !== null && row.mine_at <= row.answered_at,
        },
      }),
    )
    .filter((event) => isAfter(event.id, since));
}
