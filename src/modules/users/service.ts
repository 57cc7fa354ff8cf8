import { cachedRouteReader } from '../../platform/gateway/response-cache/reader.ts';
import {
  conflict,
  forbidden,
  notFound,
  unauthenticated,
  validationError,
} from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { forgetProfile } from './cache.ts';
import type { UsersContext } from './context.ts';
import { toCard, toFull, toShared } from './presenters.ts';
import * as repo from './repo.ts';
import type { ProfileUpdate } from './schemas.ts';
import { subjectHash } from './subject-hash.ts';
import type { ProfileRow, UsersDb } from './tables.ts';
import { canonicalLocale, canonicalTimeZone, checkBirthday } from './validation.ts';

/** Profile use cases. Authorization is decided here, not in routes. */

/** What the profile reads and the profile update need (REST and GraphQL both call them). */
export type ProfileContext = Pick<UsersContext, 'platform' | 'db' | 'storage' | 'partnerOf'>;

/**
 * Creates the profile with defaults unless it exists; safe to call any number
 * of times and concurrently (the `user.registered` consumer will call it too).
 */
export async function ensureProfile(
  db: UsersDb,
  userId: string,
  seed: { displayName?: string | null; locale?: string; timeZone?: string } = {},
): Promise<ProfileRow> {
  const existing = await repo.findProfile(db, { userId });
  if (existing) return existing;
  // An erased account's token may outlive it by minutes: never bring it back.
  if (await repo.wasErased(db, subjectHash(userId))) throw unauthenticated('This account has been deleted');
  await repo.insertProfileIfMissing(db, { userId }, seed);
  const created = await repo.findProfile(db, { userId });
  if (!created) throw new Error('profile vanished right after creation');
  return created;
}

/** The caller's own profile, created on first access; refuses deleted and suspended accounts. */
export async function activeProfile(ctx: Pick<UsersContext, 'db'>, userId: string): Promise<ProfileRow> {
  const profile = await ensureProfile(ctx.db, userId);
  if (profile.status === 'deleted') throw unauthenticated('This account has been deleted');
  if (profile.status === 'suspended') throw forbidden('This account is suspended');
  return profile;
}

export async function getMe(ctx: ProfileContext, userId: string) {
  // GET /users/me is response-cached: the primary answers while the cache is on (a miss is stored
  // as fresh, and a worker's or an admin's write is not the caller's own), else a replica when
  // configured. A profile not there yet is created on the primary.
  const reader = cachedRouteReader(ctx.platform) as UsersDb;
  const found = await repo.findProfile(reader, { userId });
  if (!found) return toFull(ctx.storage, await activeProfile(ctx, userId));
  if (found.status === 'deleted') throw unauthenticated('This account has been deleted');
  if (found.status === 'suspended') throw forbidden('This account is suspended');
  return toFull(ctx.storage, found);
}

export async function updateMe(ctx: ProfileContext, userId: string, input: ProfileUpdate) {
  await activeProfile(ctx, userId);
  const changes: Parameters<typeof repo.updateProfile>[2] = {};
  if (input.displayName !== undefined) {
    const name = input.displayName.trim();
    if (name === '') throw validationError('displayName must not be blank', 'displayName');
    changes.display_name = name;
  }
  if (input.birthday !== undefined) changes.birthday = input.birthday && checkBirthday(input.birthday);
  if (input.pronouns !== undefined) changes.pronouns = input.pronouns?.trim() || null;
  if (input.timeZone !== undefined) changes.time_zone = canonicalTimeZone(input.timeZone);
  if (input.locale !== undefined) changes.locale = canonicalLocale(input.locale);
  if (input.loveLanguages !== undefined) changes.love_languages = input.loveLanguages;
  if (input.bio !== undefined) changes.bio = input.bio?.trim() || null;
  if (input.discoverable !== undefined) changes.discoverable = input.discoverable;

  const row = await ctx.db.transaction().execute(async (trx) => {
    if (input.handle !== undefined) {
      if (!(await repo.claimHandle(trx, { userId }, input.handle))) {
        throw conflict(`The handle "${input.handle}" is taken`);
      }
      changes.handle = input.handle;
    }
    return repo.updateProfile(trx, { userId }, changes);
  });
  // The partner's cached views that read this profile (the couple's day, in one partner's zone) go too.
  await forgetProfile(ctx.platform, userId, await ctx.partnerOf(ctx.db, userId));
  return toFull(ctx.storage, row);
}

/**
 * Someone's profile as the caller may see it: all of it for oneself, the
 * shared view for one's partner, the public card of a discoverable person,
 * and otherwise a 404 that reads exactly like a missing user.
 */
export async function getProfile(ctx: ProfileContext, callerId: string, targetId: string) {
  if (targetId === callerId) return getMe(ctx, callerId);
  await activeProfile(ctx, callerId);
  const target = await repo.findProfile(ctx.db, { userId: targetId });
  if (target?.status !== 'active') throw notFound('User', targetId);
  const view = viewOf(ctx, callerId, await ctx.partnerOf(ctx.db, callerId), target);
  if (!view) throw notFound('User', targetId);
  return view;
}

/**
 * getProfile for many people at once (GraphQL loads the sender and recipient
 * of a page of notes this way): the same views, a fixed number of queries
 * whatever the count. Whoever getProfile would answer 404 for is absent.
 */
export async function profilesSeenBy(ctx: ProfileContext, callerId: string, targetIds: string[]) {
  const own = await activeProfile(ctx, callerId);
  const others = [...new Set(targetIds)].filter((id) => id !== callerId);
  const rows = await repo.findProfiles(ctx.db, others);
  const partnerId = rows.length > 0 ? await ctx.partnerOf(ctx.db, callerId) : null;
  const views = new Map<string, ProfileView>();
  if (targetIds.includes(callerId)) views.set(callerId, toFull(ctx.storage, own));
  for (const row of rows) {
    const view = row.status === 'active' ? viewOf(ctx, callerId, partnerId, row) : undefined;
    if (view) views.set(row.user_id, view);
  }
  return views;
}

export type ProfileView = ReturnType<typeof toFull> | ReturnType<typeof toShared> | ReturnType<typeof toCard>;

/** Which view of another active person's profile the caller gets, if any. */
function viewOf(
  ctx: Pick<ProfileContext, 'storage'>,
  callerId: string,
  partnerId: string | null,
  target: ProfileRow,
): ProfileView | undefined {
  if (target.user_id === callerId) return toFull(ctx.storage, target);
  if (partnerId === target.user_id) return toShared(ctx.storage, target);
  if (target.discoverable) return toCard(ctx.storage, target);
  return undefined;
}

/** PUT /users/{id}: only oneself may be changed. */
export async function updateProfile(
  ctx: ProfileContext,
  callerId: string,
  targetId: string,
  input: ProfileUpdate,
) {
  if (targetId !== callerId) throw forbidden('You can only change your own profile');
  return updateMe(ctx, callerId, input);
}

export async function search(
  ctx: UsersContext,
  callerId: string,
  query: { q: string; limit?: number; cursor?: string },
): Promise<Page<ReturnType<typeof toCard>>> {
  await activeProfile(ctx, callerId);
  const q = query.q.trim();
  if (q.length < 2) throw validationError('q must have at least 2 characters besides spaces', 'q');
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ s: string; id: string }>(query.cursor, ['s', 'id']);
  if (after && !/^\d+(\.\d+)?$/.test(String(after.s))) throw validationError('cursor is not valid', 'cursor');
  const rows = await repo.searchProfiles(
    ctx.db,
    { callerId },
    q,
    limit,
    after ? { score: String(after.s), id: String(after.id) } : undefined,
  );
  const page = toPage(rows, limit, (row) => ({ s: row.score, id: row.user_id }));
  return {
    items: page.items.map((row) => toCard(ctx.storage, row)),
    nextCursor: page.nextCursor,
  };
}

/** Public cards for other modules (couples shows the partner's). Missing or erased users get no card. */
export async function cardsOf(ctx: Pick<UsersContext, 'db' | 'storage'>, userIds: string[]) {
  const rows = await repo.findProfiles(ctx.db, userIds);
  return new Map(rows.map((row) => [row.user_id, toCard(ctx.storage, row)]));
}
