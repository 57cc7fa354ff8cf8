import type { Kysely } from 'kysely';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { notifyFromEvent } from '../../src/modules/notifications/intake.ts';
import { type RecipientInput, upsertRecipient } from '../../src/modules/notifications/repo.ts';
import type { NotificationsDb } from '../../src/modules/notifications/tables.ts';
import { withCommitHooks } from '../../src/platform/bus/after-commit.ts';
import { newId } from '../../src/platform/ids.ts';

export const userId = () => newId();

/**
 * Feeds one event to the notifications intake the way the bus handler does: in one transaction,
 * whose after-commit work (the cached inbox lists' invalidation) is done when this resolves.
 */
export async function feed(ctx: NotificationsContext, type: string, data: unknown, eventId = newId()) {
  const created = await withCommitHooks(ctx.db, (trx) =>
    notifyFromEvent(ctx, trx, { id: eventId, type, actorId: null, coupleId: null, data }),
  );
  return { eventId, created };
}

export async function recipient(ctx: NotificationsContext, id: string, input: RecipientInput) {
  await upsertRecipient(ctx.db as Kysely<NotificationsDb>, { userId: id }, input);
}

export const loveNoteDelivered = (recipientId: string, noteId = newId()) => ({
  noteId,
  senderId: newId(),
  recipientId,
  senderName: 'Sam',
});
