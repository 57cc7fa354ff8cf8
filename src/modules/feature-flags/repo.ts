import type { Insertable } from 'kysely';
import { newId } from '../../platform/ids.ts';
import type { FlagSettings } from './schemas.ts';
import type { AuditRow, FeatureFlagsTables, FlagRow, FlagsDb, FlagsTrx } from './tables.ts';

/** Kysely only. Flags are one small reference table keyed by flag key: no user scope. */

type Db = FlagsDb | FlagsTrx;
type FlagInsert = Insertable<FeatureFlagsTables['feature_flags_flags']>;

export function findFlag(db: Db, key: string): Promise<FlagRow | undefined> {
  return db.selectFrom('feature_flags_flags').selectAll().where('key', '=', key).executeTakeFirst();
}

/** The row under a lock: concurrent changes of one flag queue, so each audit `before` is the truth. */
export function lockFlag(trx: FlagsTrx, key: string): Promise<FlagRow | undefined> {
  return trx
    .selectFrom('feature_flags_flags')
    .selectAll()
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst();
}

export function listFlags(db: Db, after: string | undefined, limit: number): Promise<FlagRow[]> {
  let select = db.selectFrom('feature_flags_flags').selectAll().orderBy('key').limit(limit);
  if (after !== undefined) select = select.where('key', '>', after);
  return select.execute();
}

/** Inserts the flag unless the key is taken; undefined when it was. */
export function insertFlag(trx: FlagsTrx, row: FlagInsert): Promise<FlagRow | undefined> {
  return trx
    .insertInto('feature_flags_flags')
    .values(row)
    .onConflict((oc) => oc.column('key').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function updateFlag(
  trx: FlagsTrx,
  key: string,
  settings: FlagSettings,
  actorId: string,
): Promise<FlagRow> {
  return trx
    .updateTable('feature_flags_flags')
    .set({ ...columnsOf(settings), updated_at: new Date(), updated_by: actorId })
    .where('key', '=', key)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteFlag(trx: FlagsTrx, key: string): Promise<void> {
  await trx.deleteFrom('feature_flags_flags').where('key', '=', key).execute();
}

export function columnsOf(settings: FlagSettings) {
  return {
    description: settings.description,
    enabled: settings.enabled,
    default_value: settings.defaultValue,
    rollout_percentage: settings.rolloutPercentage,
    allow_users: settings.allowUsers,
    deny_users: settings.denyUsers,
  };
}

export function settingsOf(row: FlagRow): FlagSettings {
  return {
    description: row.description,
    enabled: row.enabled,
    defaultValue: row.default_value,
    rolloutPercentage: row.rollout_percentage,
    allowUsers: row.allow_users,
    denyUsers: row.deny_users,
  };
}

export async function insertAudit(
  trx: FlagsTrx,
  entry: {
    flagKey: string;
    action: AuditRow['action'];
    actorId: string;
    before: FlagSettings | null;
    after: FlagSettings | null;
  },
): Promise<void> {
  await trx
    .insertInto('feature_flags_audit')
    .values({
      id: newId(),
      flag_key: entry.flagKey,
      action: entry.action,
      actor_id: entry.actorId,
      before: entry.before && JSON.stringify(entry.before),
      after: entry.after && JSON.stringify(entry.after),
    })
    .execute();
}

/** Newest first; ids are UUIDv7, so id order is time order and the cursor is the id. */
export function listAudit(
  db: Db,
  key: string,
  before: string | undefined,
  limit: number,
): Promise<AuditRow[]> {
  let select = db
    .selectFrom('feature_flags_audit')
    .selectAll()
    .where('flag_key', '=', key)
    .orderBy('id', 'desc')
    .limit(limit);
  if (before !== undefined) select = select.where('id', '<', before);
  return select.execute();
}
