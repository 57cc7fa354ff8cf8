import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { type CoachDb, contentContext, titleContext } from './tables.ts';

/**
 * What the coach holds about a person: their conversations and messages
 * (decrypted for the export), daily usage and memory settings. Referral
 * counts name nobody and stay.
 */
export const coachPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as CoachDb;
    const { encryption } = platform;
    const conversations = await db
      .selectFrom('ai_coach_conversations')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    const messages = await db
      .selectFrom('ai_coach_messages')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    const usage = await db
      .selectFrom('ai_coach_usage')
      .select(['day', 'messages', 'tokens', 'cost_micro_usd'])
      .where('user_id', '=', userId)
      .orderBy('day')
      .execute();
    const memory = await db
      .selectFrom('ai_coach_memory')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return {
      conversations: conversations.map((c) => ({
        id: c.id,
        title: c.title === null ? null : encryption.decrypt(c.title, titleContext(c.id)),
        shared: c.shared,
        createdAt: c.created_at,
        messages: messages
          .filter((m) => m.conversation_id === c.id)
          .map((m) => ({
            id: m.id,
            role: m.role,
            kind: m.kind,
            content: encryption.decrypt(m.content, contentContext(m.id)),
            status: m.status,
            provider: m.provider,
            model: m.model,
            inputTokens: m.input_tokens,
            outputTokens: m.output_tokens,
            safety: { crisis: m.safety_crisis, category: m.safety_category },
            createdAt: m.created_at,
          })),
      })),
      usage: usage.map((u) => ({
        day: String(u.day),
        messages: u.messages,
        tokens: u.tokens,
        costMicroUsd: Number(u.cost_micro_usd),
      })),
      memory: memory ? { rememberTopics: memory.remember_topics, topics: memory.topics } : null,
    };
  },
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as CoachDb;
    await db.transaction().execute(async (trx) => {
      // Messages go by cascade.
      await trx.deleteFrom('ai_coach_conversations').where('user_id', '=', userId).execute();
      await trx.deleteFrom('ai_coach_usage').where('user_id', '=', userId).execute();
      await trx.deleteFrom('ai_coach_memory').where('user_id', '=', userId).execute();
    });
  },
};
