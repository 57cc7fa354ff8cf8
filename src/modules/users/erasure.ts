import { publish } from '../../platform/bus/publish.ts';
import { forbidden, serviceUnavailable, unauthenticated } from '../../platform/http/errors.ts';
import { newId } from '../../platform/ids.ts';
import { forgetProfile } from './cache.ts';
import type { UsersContext } from './context.ts';
import type { DeletionInput } from './schemas.ts';
import { ensureProfile } from './service.ts';
import { subjectHash } from './subject-hash.ts';

/**
 * Account deletion. The request deactivates the account at once and
 * publishes `user.deleted` in the same transaction; `eraseUser` then asks
 * every module to erase what it holds. With the bus, each module would run
 * its eraser from its own `user.deleted` consumer; until the bus and jobs are
 * on main, `eraseUser` runs inline after commit and the worker retries any
 * deletion left unfinished by a crash.
 */

export async function requestDeletion(ctx: UsersContext, userId: string, proof: DeletionInput) {
  const profile = await ensureProfile(ctx.db, userId);
  if (profile.status === 'deleted') throw unauthenticated('This account has been deleted');
  const confirm = ctx.confirmIdentity();
  if (!confirm) throw serviceUnavailable(60, 'Identity confirmation is not available right now');
  if (!(await confirm(userId, proof))) throw forbidden('The password or code is not correct');

  const erasureId = newId();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users_profiles')
      .set({ status: 'deleted', deleted_at: new Date(), discoverable: false })
      .where('user_id', '=', userId)
      .execute();
    await trx
      .insertInto('users_erasures')
      .values({ id: erasureId, subject_hash: subjectHash(userId), requested_at: new Date() })
      .execute();
    await publish(trx, 'user.deleted', { userId }, { actorId: userId });
  });
  await forgetProfile(ctx.platform, userId);
  ctx.background.run('users.erase', () => eraseUser(ctx, userId));
  return { status: 'scheduled' as const, erasureId };
}

/** Runs every module's eraser, this module's last (it holds the deletion marker). Idempotent. */
export async function eraseUser(
  deps: Pick<UsersContext, 'db' | 'platform' | 'dataOwners'>,
  userId: string,
): Promise<void> {
  const owners = deps.dataOwners().filter((owner) => owner.personalData);
  const ordered = [...owners.filter((o) => o.name !== 'users'), ...owners.filter((o) => o.name === 'users')];
  for (const owner of ordered) await owner.personalData!.erase(deps.platform, userId);
  await deps.db
    .updateTable('users_erasures')
    .set({ completed_at: new Date(), modules: ordered.map((o) => o.name) })
    .where('subject_hash', '=', subjectHash(userId))
    .where('completed_at', 'is', null)
    .execute();
}

/** Deletions whose erasure did not finish (the process died): the worker runs them again. */
export async function pendingDeletions(deps: Pick<UsersContext, 'db'>): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('users_profiles')
    .select('user_id')
    .where('status', '=', 'deleted')
    .limit(100)
    .execute();
  return rows.map((row) => row.user_id);
}
