import type { Static } from 'typebox';
import { notFound } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import type { CoachContext } from './context.ts';
import { coachLocale, disclosureText } from './crisis-content.ts';
import { assertCoachOn } from './gate.ts';
import * as repo from './repo.ts';
import type {
  ConversationView,
  CreateConversationBody,
  CreatedConversation,
  MessageView,
} from './schemas.ts';
import { contentContext, titleContext } from './tables.ts';
import { conversationView, messageView } from './view.ts';

/** Conversations: private to their owner, readable by the partner only when the owner shares one. */

export async function createConversation(
  ctx: CoachContext,
  userId: string,
  input: Static<typeof CreateConversationBody>,
): Promise<Static<typeof CreatedConversation>> {
  await assertCoachOn(ctx, userId);
  const id = newId();
  const { encryption } = ctx.platform;
  const profile = await ctx.deps.profileOf(ctx.platform, userId);
  const disclosure = disclosureText(coachLocale(profile?.locale));
  const { conversation, message } = await ctx.db.transaction().execute(async (trx) => {
    const conversation = await repo.insertConversation(
      trx,
      { userId },
      {
        id,
        title: input.title ? encryption.encrypt(input.title, titleContext(id)) : null,
        shared: input.shared ?? false,
      },
    );
    // Every conversation opens with the AI disclosure (not a person, not therapy).
    const messageId = newId();
    const message = await repo.insertMessage(
      trx,
      { userId, conversationId: id },
      {
        id: messageId,
        role: 'assistant',
        kind: 'disclosure',
        content: encryption.encrypt(disclosure, contentContext(messageId)),
        provider: 'safety',
      },
    );
    return { conversation, message };
  });
  return {
    conversation: conversationView(conversation, userId, encryption),
    disclosure: messageView(message, encryption, disclosure),
  };
}

export async function listConversations(
  ctx: CoachContext,
  userId: string,
  query: { limit?: number; cursor?: string },
): Promise<Page<Static<typeof ConversationView>>> {
  const limit = query.limit ?? 20;
  const cursor = decodeCursor<{ id: string }>(query.cursor, ['id']);
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  const rows = await repo.listConversations(
    ctx.db,
    { userId, partnerId: couple?.partnerId ?? null },
    cursor,
    limit,
  );
  const page = toPage(rows, limit, (row) => ({ id: row.id }));
  return { ...page, items: page.items.map((row) => conversationView(row, userId, ctx.platform.encryption)) };
}

/**
 * The conversation if the caller may read it: their own, or one their active
 * partner shares. Anything else is 404, so an id reveals nothing.
 */
export async function readableConversation(ctx: CoachContext, userId: string, id: string) {
  const row = await repo.conversationById(ctx.db, id);
  if (row && row.user_id === userId) return row;
  if (row?.shared) {
    const couple = await ctx.deps.coupleOf(ctx.platform, userId);
    if (couple?.partnerId === row.user_id) return row;
  }
  throw notFound('Conversation', id);
}

/** The caller's own conversation (to write to or delete), else 404. */
export async function ownConversation(ctx: CoachContext, userId: string, id: string) {
  const row = await repo.conversationById(ctx.db, id);
  if (!row || row.user_id !== userId) throw notFound('Conversation', id);
  return row;
}

export async function listMessages(
  ctx: CoachContext,
  userId: string,
  id: string,
  query: { limit?: number; cursor?: string },
): Promise<Page<Static<typeof MessageView>>> {
  const conversation = await readableConversation(ctx, userId, id);
  const limit = query.limit ?? 20;
  const cursor = decodeCursor<{ id: string }>(query.cursor, ['id']);
  const rows = await repo.listMessages(
    ctx.db,
    { userId: conversation.user_id, conversationId: id },
    cursor,
    limit,
  );
  const page = toPage(rows, limit, (row) => ({ id: row.id }));
  return { ...page, items: page.items.map((row) => messageView(row, ctx.platform.encryption)) };
}

export async function deleteConversation(ctx: CoachContext, userId: string, id: string): Promise<void> {
  if (!(await repo.deleteConversation(ctx.db, { userId }, id))) throw notFound('Conversation', id);
}
