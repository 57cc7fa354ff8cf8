import type { NoteView } from '../../love-notes/index.ts';
import { callerOf, type GraphqlContext } from '../context.ts';

type Queries = Array<{ obj: NoteView }>;

/**
 * A note's sender and recipient as the caller may see them (GET
 * /v1/users/{id}'s rules), loaded for a whole page at once: mercurius
 * batches each field's lookups per request, so a page costs two batched
 * profile reads whatever its length. null for a profile that is gone.
 */
async function profiles(ctx: GraphqlContext, ids: string[]) {
  const views = await ctx.services.users.seenBy(callerOf(ctx).id, ids);
  return ids.map((id) => views.get(id) ?? null);
}

export const LoveNoteLoaders = {
  sender: (queries: Queries, ctx: GraphqlContext) =>
    profiles(
      ctx,
      queries.map((q) => q.obj.senderId),
    ),
  recipient: (queries: Queries, ctx: GraphqlContext) =>
    profiles(
      ctx,
      queries.map((q) => q.obj.recipientId),
    ),
};
