import { sql } from 'kysely';
import { rateLimited } from '../../platform/http/errors.ts';
import type { CoachContext } from './context.ts';
import type { SafetyCategory } from './tables.ts';

/**
 * Daily budgets per user and plan (free or premium, through the `isPremium`
 * port): a message is counted before any provider call, atomically (one
 * upsert that refuses past the limit), tokens and cost after the reply.
 * Past either limit: 429 RATE_LIMITED with Retry-After and the reset time
 * (the next UTC midnight). Crisis answers are never counted or refused.
 */
const today = () => new Date().toISOString().slice(0, 10);

export function resetTime(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

export async function reserveMessage(ctx: CoachContext, userId: string): Promise<void> {
  const premium = await ctx.deps.isPremium(ctx.platform, userId);
  const limits = premium ? ctx.config.budgets.premium : ctx.config.budgets.free;
  const reserved =
    limits.messages > 0 &&
    (
      await sql<{ messages: number }>`
      insert into ai_coach_usage (user_id, day, messages) values (${userId}, ${today()}, 1)
      on conflict (user_id, day) do update set messages = ai_coach_usage.messages + 1
      where ai_coach_usage.messages < ${limits.messages} and ai_coach_usage.tokens < ${limits.tokens}
      returning messages`.execute(ctx.db)
    ).rows.length > 0;
  if (!reserved) {
    const reset = resetTime();
    const seconds = Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000));
    throw rateLimited(
      seconds,
      `Your daily coach limit (${limits.messages} messages, ${limits.tokens} tokens on the ${premium ? 'premium' : 'free'} plan) is reached; it resets at ${reset.toISOString()}`,
    );
  }
}

export async function recordTokens(ctx: CoachContext, userId: string, tokens: number, costMicroUsd: number) {
  await sql`
    insert into ai_coach_usage (user_id, day, tokens, cost_micro_usd) values (${userId}, ${today()}, ${tokens}, ${costMicroUsd})
    on conflict (user_id, day) do update set tokens = ai_coach_usage.tokens + ${tokens},
      cost_micro_usd = ai_coach_usage.cost_micro_usd + ${costMicroUsd}`.execute(ctx.db);
}

/** One more crisis referral for the day, by category and language: a count, never who or what. */
export async function recordReferral(ctx: CoachContext, category: SafetyCategory, locale: string) {
  await sql`
    insert into ai_coach_referrals (day, category, locale, count) values (${today()}, ${category}, ${locale}, 1)
    on conflict (day, category, locale) do update set count = ai_coach_referrals.count + 1`.execute(ctx.db);
}
