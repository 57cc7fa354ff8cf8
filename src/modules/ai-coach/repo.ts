import { sql } from 'kysely';
import type { CoachDb, MessageKind, MessageStatus, SafetyCategory, Source } from './tables.ts';

/** Kysely only; every query is scoped by the owner's user id, except `conversationById` (sharing). */

export async function insertConversation(
  db: CoachDb,
  scope: { userId: string },
  row: { id: string; title: string | null; shared: boolean },
) {
  return db
    .insertInto('ai_coach_conversations')
    .values({ user_id: scope.userId, ...row })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A conversation by id, whoever owns it: the caller decides who may see it. */
export async function conversationById(db: CoachDb, id: string) {
  return db.selectFrom('ai_coach_conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listConversations(
  db: CoachDb,
  scope: { userId: string; partnerId: string | null },
  cursor: { id: string } | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('ai_coach_conversations')
    .selectAll()
    .where((eb) =>
      scope.partnerId
        ? eb.or([
            eb('user_id', '=', scope.userId),
            eb.and([eb('user_id', '=', scope.partnerId), eb('shared', '=', true)]),
          ])
        : eb('user_id', '=', scope.userId),
    );
  if (cursor) q = q.where('id', '<', cursor.id);
  return q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

export async function deleteConversation(db: CoachDb, scope: { userId: string }, id: string) {
  const result = await db
    .deleteFrom('ai_coach_conversations')
    .where('user_id', '=', scope.userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface NewMessage {
  id: string;
  role: 'user' | 'assistant';
  kind: MessageKind;
  content: string;
  status?: MessageStatus;
  provider?: string | null;
  model?: string | null;
  inputTokens?: number;
  outputTokens?: number;
  costMicroUsd?: number;
  safetyCrisis?: boolean;
  safetyCategory?: SafetyCategory | null;
  sources?: Source[];
}

export async function insertMessage(
  db: CoachDb,
  scope: { userId: string; conversationId: string },
  m: NewMessage,
) {
  const row = await db
    .insertInto('ai_coach_messages')
    .values({
      user_id: scope.userId,
      conversation_id: scope.conversationId,
      id: m.id,
      role: m.role,
      kind: m.kind,
      content: m.content,
      status: m.status ?? 'complete',
      provider: m.provider ?? null,
      model: m.model ?? null,
      input_tokens: m.inputTokens ?? 0,
      output_tokens: m.outputTokens ?? 0,
      cost_micro_usd: m.costMicroUsd ?? 0,
      safety_crisis: m.safetyCrisis ?? false,
      safety_category: m.safetyCategory ?? null,
      sources: JSON.stringify(m.sources ?? []),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .updateTable('ai_coach_conversations')
    .set({ updated_at: sql<Date>`now()` })
    .where('user_id', '=', scope.userId)
    .where('id', '=', scope.conversationId)
    .execute();
  return row;
}

export type MessageRow = Awaited<ReturnType<typeof insertMessage>>;

/** A page of messages, newest first. */
export async function listMessages(
  db: CoachDb,
  scope: { userId: string; conversationId: string },
  cursor: { id: string } | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('ai_coach_messages')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('conversation_id', '=', scope.conversationId);
  if (cursor) q = q.where('id', '<', cursor.id);
  return q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

/** The last `limit` user messages and generated replies, oldest first (the provider's context). */
export async function recentTurns(
  db: CoachDb,
  scope: { userId: string; conversationId: string },
  limit: number,
) {
  const rows = await db
    .selectFrom('ai_coach_messages')
    .select(['id', 'role', 'content'])
    .where('user_id', '=', scope.userId)
    .where('conversation_id', '=', scope.conversationId)
    .where('kind', 'in', ['message', 'reply'] as MessageKind[])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}
