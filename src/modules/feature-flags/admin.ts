import { publish } from '../../platform/bus/publish.ts';
import { conflict, notFound, validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import type { FlagsContext } from './context.ts';
import * as repo from './repo.ts';
import {
  type AuditView,
  type CreateFlagBody,
  FLAG_KEY_PATTERN,
  type FlagSettings,
  type FlagSettingsInput,
  type FlagView,
} from './schemas.ts';
import type { AuditRow, FlagRow, FlagsTrx } from './tables.ts';

/**
 * Admin use cases; the admin plugin has already required the `admin` role.
 * Every change writes its audit entry and its `feature-flag.changed` event in
 * its own transaction, then drops this process's copy of the flags so the
 * next evaluation here reads the change; other processes see it within
 * FEATURE_FLAGS_REFRESH_MS.
 */

const DEFAULTS: FlagSettings = {
  description: '',
  enabled: true,
  defaultValue: false,
  rolloutPercentage: 0,
  allowUsers: [],
  denyUsers: [],
};

const FLAG_KEY = new RegExp(FLAG_KEY_PATTERN);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are compared as PostgreSQL prints them (lower case), so one person is never listed twice. */
function checked(settings: FlagSettings): FlagSettings {
  const allowUsers = [...new Set(settings.allowUsers.map((id) => id.toLowerCase()))];
  const denyUsers = [...new Set(settings.denyUsers.map((id) => id.toLowerCase()))];
  const both = denyUsers.find((id) => allowUsers.includes(id));
  if (both) throw validationError(`User ${both} is in both allowUsers and denyUsers`, 'denyUsers');
  return { ...settings, allowUsers, denyUsers };
}

export function toView(row: FlagRow): FlagView {
  return {
    key: row.key,
    ...repo.settingsOf(row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

function toAuditView(row: AuditRow): AuditView {
  return {
    id: row.id,
    flagKey: row.flag_key,
    action: row.action,
    actorId: row.actor_id,
    before: row.before as FlagSettings | null,
    after: row.after as FlagSettings | null,
    occurredAt: row.occurred_at.toISOString(),
  };
}

type Action = AuditRow['action'];

/** Audit entry and event of one change, in its transaction. */
async function record(
  trx: FlagsTrx,
  actorId: string,
  key: string,
  action: Action,
  before: FlagSettings | null,
  after: FlagSettings | null,
): Promise<void> {
  await repo.insertAudit(trx, { flagKey: key, action, actorId, before, after });
  const flag = after && {
    enabled: after.enabled,
    defaultValue: after.defaultValue,
    rolloutPercentage: after.rolloutPercentage,
    allowUsers: after.allowUsers.length,
    denyUsers: after.denyUsers.length,
  };
  await publish(trx, 'feature-flag.changed', { key, action, flag }, { actorId });
}

async function change<T>(ctx: FlagsContext, work: (trx: FlagsTrx) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction().execute(work);
  ctx.store.invalidate();
  return result;
}

export async function listFlags(ctx: FlagsContext, query: { limit?: number; cursor?: string }) {
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ key: string }>(query.cursor, ['key']);
  if (after && !FLAG_KEY.test(String(after.key))) throw validationError('cursor is not valid', 'cursor');
  const rows = await repo.listFlags(ctx.db, after && String(after.key), limit + 1);
  const page = toPage(rows, limit, (row) => ({ key: row.key }));
  return { items: page.items.map(toView), nextCursor: page.nextCursor };
}

export async function getFlag(ctx: FlagsContext, key: string): Promise<FlagView> {
  const row = await repo.findFlag(ctx.db, key);
  if (!row) throw notFound('Feature flag', key);
  return toView(row);
}

/** PUT: creates the flag or replaces its whole definition (omitted fields take their defaults). */
export async function putFlag(
  ctx: FlagsContext,
  actorId: string,
  key: string,
  input: FlagSettingsInput,
): Promise<{ created: boolean; flag: FlagView }> {
  const settings = checked({ ...DEFAULTS, ...input });
  return change(ctx, async (trx) => {
    const existing = await repo.lockFlag(trx, key);
    if (!existing) {
      const row = await repo.insertFlag(trx, { key, ...repo.columnsOf(settings), updated_by: actorId });
      if (!row) throw conflict(`Feature flag ${key} was created meanwhile; retry`);
      await record(trx, actorId, key, 'created', null, settings);
      return { created: true, flag: toView(row) };
    }
    const row = await repo.updateFlag(trx, key, settings, actorId);
    await record(trx, actorId, key, 'updated', repo.settingsOf(existing), settings);
    return { created: false, flag: toView(row) };
  });
}

/** POST: creates a flag; its key must be new (409 otherwise). */
export async function createFlag(
  ctx: FlagsContext,
  actorId: string,
  input: CreateFlagBody,
  idempotency: IdempotentAnswer | undefined,
): Promise<FlagView> {
  const { key, ...rest } = input;
  const settings = checked({ ...DEFAULTS, ...rest });
  return change(ctx, async (trx) => {
    const row = await repo.insertFlag(trx, { key, ...repo.columnsOf(settings), updated_by: actorId });
    if (!row) throw conflict(`Feature flag ${key} exists; change it with PATCH or PUT`);
    await record(trx, actorId, key, 'created', null, settings);
    const view = toView(row);
    if (idempotency) await recordAnswer(trx, idempotency, 201, view);
    return view;
  });
}

/** PATCH: changes the given fields, keeps the others. */
export async function patchFlag(
  ctx: FlagsContext,
  actorId: string,
  key: string,
  input: FlagSettingsInput,
): Promise<FlagView> {
  return change(ctx, async (trx) => {
    const existing = await repo.lockFlag(trx, key);
    if (!existing) throw notFound('Feature flag', key);
    const before = repo.settingsOf(existing);
    const settings = checked({ ...before, ...input });
    const row = await repo.updateFlag(trx, key, settings, actorId);
    await record(trx, actorId, key, 'updated', before, settings);
    return toView(row);
  });
}

/** DELETE: evaluations of the key answer their caller's fallback from then on. */
export async function deleteFlag(ctx: FlagsContext, actorId: string, key: string): Promise<void> {
  await change(ctx, async (trx) => {
    const existing = await repo.lockFlag(trx, key);
    if (!existing) throw notFound('Feature flag', key);
    await repo.deleteFlag(trx, key);
    await record(trx, actorId, key, 'deleted', repo.settingsOf(existing), null);
  });
}

/** The audit trail of a key, newest first; a deleted flag's history stays readable. */
export async function flagHistory(
  ctx: FlagsContext,
  key: string,
  query: { limit?: number; cursor?: string },
): Promise<Page<AuditView>> {
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
  if (after && !UUID.test(String(after.id))) throw validationError('cursor is not valid', 'cursor');
  const rows = await repo.listAudit(ctx.db, key, after && String(after.id), limit + 1);
  const page = toPage(rows, limit, (row) => ({ id: row.id }));
  return { items: page.items.map(toAuditView), nextCursor: page.nextCursor };
}
