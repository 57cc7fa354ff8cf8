import type { ApiKeyCaller } from '../../platform/http/auth-context.ts';
import { AppError, conflict, notFound, validationError } from '../../platform/http/errors.ts';
import type { Page } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import type { ApiKeysContext } from './context.ts';
import * as repo from './repo.ts';
import type { ApiKey, CreateKeyBody, ListQuery, RotateBody } from './schemas.ts';
import { generateKey, keyMatches, prefixOf } from './secrets.ts';
import type { KeyRow } from './tables.ts';

const TOUCH_EVERY_MS = 60_000;

export function statusOf(row: KeyRow, now: Date): repo.Status {
  if (row.revoked_at) return 'revoked';
  if (row.expires_at && row.expires_at <= now) return 'expired';
  return 'active';
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toView(row: KeyRow, now: Date): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    rateLimitPerMinute: row.rate_limit_per_minute,
    status: statusOf(row, now),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
    rotatedFrom: row.rotated_from,
  };
}

function checkScopes(ctx: ApiKeysContext, scopes: string[]): void {
  const unknown = scopes.filter((scope) => !ctx.scopes.has(scope));
  if (unknown.length > 0) {
    const known = [...ctx.scopes.keys()].sort().join(', ') || 'none';
    throw validationError(`No route accepts ${unknown.join(', ')} (scopes: ${known})`, 'scopes');
  }
}

/** A new key; the answer carries the secret, which is never stored (only its hash). */
export async function createKey(ctx: ApiKeysContext, adminId: string, body: CreateKeyBody) {
  checkScopes(ctx, body.scopes);
  const now = ctx.now();
  const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
  if (expiresAt && expiresAt <= now) throw validationError('expiresAt must be in the future', 'expiresAt');
  const fresh = generateKey();
  const row = await repo.insertKey(ctx.db, {
    id: newId(),
    prefix: fresh.prefix,
    secret_hash: fresh.hash,
    name: body.name.trim(),
    scopes: body.scopes,
    rate_limit_per_minute: body.rateLimitPerMinute ?? ctx.config.defaultRatePerMinute,
    created_by: adminId,
    expires_at: expiresAt,
    rotated_from: null,
  });
  return { key: toView(row, now), secret: fresh.secret };
}

export async function listKeys(ctx: ApiKeysContext, query: ListQuery): Promise<Page<ApiKey>> {
  const page = await repo.listKeys(ctx.db, query);
  const now = ctx.now();
  return { items: page.items.map((row) => toView(row, now)), nextCursor: page.nextCursor };
}

export async function getKey(ctx: ApiKeysContext, id: string): Promise<ApiKey> {
  const row = await repo.findKey(ctx.db, id);
  if (!row) throw notFound('API key', id);
  return toView(row, ctx.now());
}

/**
 * A successor with the same name, scopes, limit and expiry; the old key
 * keeps working for the grace period (so clients can switch without an
 * outage), then expires. Only an active key can be rotated.
 */
export async function rotateKey(ctx: ApiKeysContext, adminId: string, id: string, body: RotateBody) {
  const grace = body.graceSeconds ?? ctx.config.rotationGraceSeconds;
  return ctx.db.transaction().execute(async (trx) => {
    const old = await repo.findKeyForUpdate(trx, id);
    if (!old) throw notFound('API key', id);
    const now = ctx.now();
    if (statusOf(old, now) !== 'active') throw conflict(`The key is ${statusOf(old, now)}: create a new one`);
    const graceEnd = new Date(now.getTime() + grace * 1000);
    const oldEnd = old.expires_at && old.expires_at < graceEnd ? old.expires_at : graceEnd;
    await repo.setExpiry(trx, old.id, oldEnd);
    const fresh = generateKey();
    const row = await repo.insertKey(trx, {
      id: newId(),
      prefix: fresh.prefix,
      secret_hash: fresh.hash,
      name: old.name,
      scopes: old.scopes,
      rate_limit_per_minute: old.rate_limit_per_minute,
      created_by: adminId,
      expires_at: old.expires_at,
      rotated_from: old.id,
    });
    return { key: toView(row, now), secret: fresh.secret };
  });
}

/** Stops the key at once (the next request with it is a 401); revoking twice is harmless. */
export async function revokeKey(ctx: ApiKeysContext, id: string): Promise<ApiKey> {
  const row = await repo.revokeKey(ctx.db, id);
  if (!row) throw notFound('API key', id);
  return toView(row, ctx.now());
}

const rejected = (message: string) =>
  new AppError(401, 'UNAUTHENTICATED', message, {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

/** The caller a presented key stands for, or a 401 (unknown, malformed, revoked, expired). */
export async function authenticate(ctx: ApiKeysContext, presented: string): Promise<ApiKeyCaller> {
  const prefix = prefixOf(presented);
  const row = prefix === undefined ? undefined : await repo.findByPrefix(ctx.db, prefix);
  if (!row || !keyMatches(presented, row.secret_hash)) throw rejected('The API key is not valid');
  const now = ctx.now();
  const status = statusOf(row, now);
  if (status !== 'active') throw rejected(`The API key is ${status}`);
  touch(ctx, row.id, now.getTime());
  return { id: row.id, scopes: row.scopes, ratePerMinute: row.rate_limit_per_minute };
}

/** Records use without a write per request: once a minute per key per process, off the request's path. */
function touch(ctx: ApiKeysContext, id: string, nowMs: number): void {
  const last = ctx.touched.get(id);
  if (last !== undefined && nowMs - last < TOUCH_EVERY_MS) return;
  ctx.touched.set(id, nowMs);
  repo.touchKey(ctx.db, id).catch((error) => ctx.log.warn({ err: error }, 'api key: last-used not recorded'));
}
