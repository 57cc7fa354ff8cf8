import { publish } from '../../platform/bus/publish.ts';
import { conflict, notFound, validationError } from '../../platform/http/errors.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { forgetProfile } from './cache.ts';
import type { UsersContext } from './context.ts';
import { toAdmin } from './presenters.ts';
import * as repo from './repo.ts';

/** Admin use cases; the route guard has already required the `admin` role. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listUsers(ctx: UsersContext, query: { q?: string; limit?: number; cursor?: string }) {
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
  let select = ctx.db.selectFrom('users_profiles').selectAll().where('status', '!=', 'deleted');
  const q = query.q?.trim().toLowerCase();
  if (q && UUID.test(q)) select = select.where('user_id', '=', q);
  else if (q) {
    const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['handle']), 'like', prefix),
        eb(eb.fn('lower', ['display_name']), 'like', prefix),
      ]),
    );
  }
  if (after) {
    if (!UUID.test(String(after.id))) throw validationError('cursor is not valid', 'cursor');
    select = select.where('user_id', '>', String(after.id));
  }
  const rows = await select
    .orderBy('user_id')
    .limit(limit + 1)
    .execute();
  const page = toPage(rows, limit, (row) => ({ id: row.user_id }));
  return { items: page.items.map((row) => toAdmin(ctx.storage, row)), nextCursor: page.nextCursor };
}

export async function suspend(ctx: UsersContext, adminId: string, userId: string, reason: string | null) {
  if (adminId === userId) throw conflict('You cannot suspend yourself');
  const row = await ctx.db.transaction().execute(async (trx) => {
    const profile = await repo.lockProfile(trx, { userId });
    if (!profile || profile.status === 'deleted') throw notFound('User', userId);
    if (profile.status === 'suspended') return profile;
    const updated = await repo.updateProfile(
      trx,
      { userId },
      {
        status: 'suspended',
        suspended_at: new Date(),
        suspension_reason: reason,
      },
    );
    await publish(trx, 'user.suspended', { userId, reason }, { actorId: adminId });
    return updated;
  });
  await forgetProfile(ctx.platform, userId);
  return toAdmin(ctx.storage, row);
}

export async function unsuspend(ctx: UsersContext, adminId: string, userId: string) {
  const row = await ctx.db.transaction().execute(async (trx) => {
    const profile = await repo.lockProfile(trx, { userId });
    if (!profile || profile.status === 'deleted') throw notFound('User', userId);
    if (profile.status === 'active') return profile;
    const updated = await repo.updateProfile(
      trx,
      { userId },
      {
        status: 'active',
        suspended_at: null,
        suspension_reason: null,
      },
    );
    await publish(trx, 'user.unsuspended', { userId }, { actorId: adminId });
    return updated;
  });
  await forgetProfile(ctx.platform, userId);
  return toAdmin(ctx.storage, row);
}
