import { sql } from 'kysely';
import type { CoachContext } from './context.ts';

/**
 * The coach's memory of a user: a short summary built on demand from the
 * users and couples modules (relationship length, love languages) plus the
 * recent topics of their messages when they allow it (topic names only,
 * never words they wrote). Viewable and clearable by the user.
 */
export interface Memory {
  summary: string;
  relationshipDays: number | null;
  loveLanguages: string[];
  topics: string[];
  rememberTopics: boolean;
}

const MAX_TOPICS = 5;

async function stored(ctx: CoachContext, userId: string) {
  return ctx.db.selectFrom('ai_coach_memory').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function memoryOf(ctx: CoachContext, userId: string): Promise<Memory> {
  const [row, profile, couple] = await Promise.all([
    stored(ctx, userId),
    ctx.deps.profileOf(ctx.platform, userId),
    ctx.deps.coupleOf(ctx.platform, userId),
  ]);
  const since = couple
    ? couple.relationshipStart
      ? new Date(`${couple.relationshipStart}T00:00:00Z`)
      : couple.linkedAt
    : null;
  const relationshipDays = since
    ? Math.max(0, Math.floor((Date.now() - since.getTime()) / 86_400_000))
    : null;
  const loveLanguages = profile?.loveLanguages ?? [];
  const topics = row?.topics ?? [];
  const parts = [
    couple ? `In a relationship for ${relationshipDays} days.` : 'Not linked with a partner in the app.',
    loveLanguages.length > 0 ? `Love languages: ${loveLanguages.join(', ')}.` : '',
    topics.length > 0 ? `Recent topics: ${topics.join(', ')}.` : '',
  ];
  return {
    summary: parts.filter(Boolean).join(' '),
    relationshipDays,
    loveLanguages,
    topics,
    rememberTopics: row?.remember_topics ?? false,
  };
}

export async function setRememberTopics(
  ctx: CoachContext,
  userId: string,
  remember: boolean,
): Promise<Memory> {
  await ctx.db
    .insertInto('ai_coach_memory')
    .values({ user_id: userId, remember_topics: remember, topics: '[]' })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        remember_topics: remember,
        // Turning it off forgets what was kept.
        ...(remember ? {} : { topics: '[]' }),
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
  return memoryOf(ctx, userId);
}

export async function clearMemory(ctx: CoachContext, userId: string): Promise<void> {
  await ctx.db
    .updateTable('ai_coach_memory')
    .set({ topics: '[]', updated_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .execute();
}

/** Adds a topic to the recent ones, if the user allowed it. */
export async function rememberTopic(ctx: CoachContext, userId: string, topic: string): Promise<void> {
  const row = await stored(ctx, userId);
  if (!row?.remember_topics) return;
  const topics = [topic, ...row.topics.filter((t) => t !== topic)].slice(0, MAX_TOPICS);
  await ctx.db
    .updateTable('ai_coach_memory')
    .set({ topics: JSON.stringify(topics), updated_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .execute();
}
