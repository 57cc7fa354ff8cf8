import { strToU8, zipSync } from 'fflate';
import { type Selectable, sql } from 'kysely';
import { notFound } from '../../platform/http/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { UsersContext } from './context.ts';
import { activeProfile } from './service.ts';
import type { UsersTables } from './tables.ts';

/**
 * GDPR export: a ZIP with one JSON file per module, built by `runExport`,
 * which is the body of a background job (inline after commit until the jobs
 * platform is on main). The link is signed and valid for 24 hours.
 */
export const EXPORT_LINK_HOURS = 24;

type ExportRow = Selectable<UsersTables['users_exports']>;

type ExportDeps = Pick<UsersContext, 'db' | 'storage' | 'platform' | 'dataOwners'>;

export const exportKey = (userId: string, id: string) => `exports/${userId}/${id}.zip`;

async function present(ctx: Pick<UsersContext, 'storage'>, row: ExportRow) {
  const live =
    row.status === 'ready' && row.storage_key && row.expires_at && row.expires_at.getTime() > Date.now();
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    downloadUrl: live ? await ctx.storage.signedUrl(row.storage_key!, row.expires_at!) : null,
  };
}

/** Starts an export, or returns the one already in flight (one at a time per person). */
export async function startExport(ctx: UsersContext, userId: string) {
  await activeProfile(ctx, userId);
  // The export in flight can finish between the insert that met it and the read that
  // looks for it: then there is none in flight any more, and this one may start.
  for (;;) {
    const id = newId();
    const inserted = await ctx.db
      .insertInto('users_exports')
      .values({ user_id: userId, id, status: 'pending', created_at: new Date() })
      .onConflict((oc) =>
        // A literal predicate: PostgreSQL matches it against the partial index at parse time.
        oc.column('user_id').where(sql<boolean>`status in ('pending', 'running')`).doNothing(),
      )
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      ctx.background.run('users.export', () => runExport(ctx, userId, id));
      return present(ctx, inserted);
    }
    const running = await ctx.db
      .selectFrom('users_exports')
      .selectAll()
      .where('user_id', '=', userId)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst();
    if (running) return present(ctx, running);
  }
}

export async function getExport(ctx: UsersContext, userId: string, id: string) {
  await activeProfile(ctx, userId);
  const row = await ctx.db
    .selectFrom('users_exports')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Export', id);
  return present(ctx, row);
}

/** Builds and stores the ZIP. Idempotent: a second run of a finished export does nothing. */
export async function runExport(deps: ExportDeps, userId: string, id: string): Promise<void> {
  const claimed = await deps.db
    .updateTable('users_exports')
    .set({ status: 'running', progress: 1 })
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'running'])
    .returning('id')
    .executeTakeFirst();
  if (!claimed) return;
  try {
    const owners = deps.dataOwners().filter((owner) => owner.personalData);
    const files: Record<string, Uint8Array> = {};
    for (const [index, owner] of owners.entries()) {
      const data = await owner.personalData!.export(deps.platform, userId);
      files[`${owner.name}.json`] = strToU8(JSON.stringify(data, null, 2));
      await deps.db
        .updateTable('users_exports')
        .set({ progress: Math.max(1, Math.floor(((index + 1) / owners.length) * 90)) })
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .execute();
    }
    files['manifest.json'] = strToU8(
      JSON.stringify(
        { userId, exportId: id, exportedAt: new Date().toISOString(), modules: owners.map((o) => o.name) },
        null,
        2,
      ),
    );
    const key = exportKey(userId, id);
    await deps.storage.put(key, Buffer.from(zipSync(files, { level: 6 })), 'application/zip');
    await deps.db
      .updateTable('users_exports')
      .set({
        status: 'ready',
        progress: 100,
        storage_key: key,
        completed_at: new Date(),
        expires_at: sql<Date>`now() + make_interval(hours => ${EXPORT_LINK_HOURS})`,
      })
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .execute();
  } catch (error) {
    await deps.db
      .updateTable('users_exports')
      .set({
        status: 'failed',
        error: 'The export could not be built; start a new one',
        completed_at: new Date(),
      })
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .execute();
    throw error;
  }
}

/** Deletes the files of exports whose link expired (run periodically by the worker). */
export async function purgeExpiredExports(deps: Pick<UsersContext, 'db' | 'storage'>): Promise<number> {
  const expired = await deps.db
    .updateTable('users_exports')
    .set({ storage_key: null })
    .where('expires_at', '<', new Date())
    .where('storage_key', 'is not', null)
    .returning(['user_id', 'id'])
    .execute();
  for (const row of expired) await deps.storage.delete(exportKey(row.user_id, row.id));
  return expired.length;
}
