import { randomBytes } from 'node:crypto';
import { publish } from '../../platform/bus/publish.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { conflict, forbidden, notFound, validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { newId } from '../../platform/ids.ts';
import type { Platform } from '../../platform/platform.ts';
import { ensureProfile, profileCards } from '../users/index.ts';
import { forgetCouples } from './cache.ts';
import * as repo from './repo.ts';
import type { CoupleUpdate } from './schemas.ts';
import type { CoupleRow, CouplesDb, InviteRow } from './tables.ts';

/** Invites, linking, the couple's shared details and unlinking. */

export interface CouplesContext {
  platform: Platform;
  db: CouplesDb;
}

export const INVITE_DAYS = 7;
// Crockford base32: no I, L, O, U, so a code read aloud or retyped survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 12;

function newCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  return Array.from(bytes, (b) => ALPHABET[b % 32]).join('');
}

const normalise = (code: string) => code.toUpperCase();

const isExpired = (invite: InviteRow) => invite.expires_at.getTime() <= Date.now();

/**
 * Two people accepting each other's invites at once lock the same rows in
 * opposite orders; PostgreSQL aborts one with a deadlock. Running it again
 * is safe (the transaction rolled back) and then meets the other's commit.
 */
async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}

export async function createInvite(
  ctx: CouplesContext,
  userId: string,
  /** The request's Idempotency-Key: the answer is recorded in the same transaction as the invite. */
  idempotency?: IdempotentAnswer,
) {
  await ensureProfile(ctx.platform, userId);
  const code = newCode();
  const expiresAt = new Date(Date.now() + INVITE_DAYS * 86_400_000);
  const invite = {
    code,
    url: `${ctx.platform.config.appUrl}/invite/${code}`,
    expiresAt: expiresAt.toISOString(),
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      if (await repo.isInActiveCouple(trx, { userId })) throw conflict('You are already in a couple');
      // One active invite per person: a new one replaces the previous.
      await repo.revokePendingInvites(trx, { userId });
      await trx
        .insertInto('couples_invites')
        .values({
          code,
          inviter_id: userId,
          status: 'pending',
          created_at: new Date(),
          expires_at: expiresAt,
        })
        .execute();
      if (idempotency) await recordAnswer(trx, idempotency, 201, invite);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('Another invite was created at the same moment; try again');
    throw error;
  }
  return invite;
}

export async function showInvite(ctx: CouplesContext, rawCode: string) {
  const invite = await repo.findInvite(ctx.db, normalise(rawCode));
  if (!invite) throw notFound('Invite');
  const cards = await profileCards(ctx.platform, [invite.inviter_id]);
  return {
    code: invite.code,
    status: invite.status === 'pending' && isExpired(invite) ? ('expired' as const) : invite.status,
    expiresAt: invite.expires_at.toISOString(),
    inviter: cards.get(invite.inviter_id) ?? null,
  };
}

function assertOpen(invite: InviteRow | undefined): asserts invite is InviteRow {
  if (!invite) throw notFound('Invite');
  if (invite.status !== 'pending') throw conflict(`This invite was already ${invite.status}`);
  if (isExpired(invite)) throw conflict('This invite has expired; ask for a new one');
}

/**
 * Links the inviter and the caller (reopening their couple if they unlinked
 * less than the read-only period ago). The invite row is locked so one invite
 * links once; the active-members primary key makes a person's second couple
 * impossible even when two accepts of two invites race.
 */
export async function acceptInvite(ctx: CouplesContext, userId: string, rawCode: string) {
  // The partner card needs a profile; accepting is this person's first use of it, perhaps.
  await ensureProfile(ctx.platform, userId);
  const code = normalise(rawCode);
  let coupleId: string;
  let inviterId: string;
  try {
    [coupleId, inviterId] = await retryOnDeadlock(() =>
      ctx.db.transaction().execute(async (trx) => {
        const invite = await repo.lockInvite(trx, code);
        assertOpen(invite);
        if (invite.inviter_id === userId) throw conflict('You cannot accept your own invite');
        // The same two people linking again within the read-only period get their
        // couple back, and with it the history other modules keep under its id.
        const closed = await repo.lockReopenable(trx, { userIds: [invite.inviter_id, userId] });
        const id = closed?.id ?? newId();
        if (closed) await repo.reopenCouple(trx, id);
        else {
          await trx
            .insertInto('couples_couples')
            .values({
              id,
              user_a: invite.inviter_id,
              user_b: userId,
              status: 'active',
              linked_at: new Date(),
            })
            .execute();
        }
        if (!(await repo.addActiveMembers(trx, id, [invite.inviter_id, userId]))) {
          throw conflict('You or the person who invited you are already in a couple');
        }
        await repo.setInviteStatus(trx, code, 'accepted', userId);
        await repo.revokePendingInvites(trx, { userId });
        await repo.revokePendingInvites(trx, { userId: invite.inviter_id });
        await publish(
          trx,
          'couple.linked',
          { coupleId: id, userIds: [invite.inviter_id, userId] },
          { actorId: userId, coupleId: id },
        );
        return [id, invite.inviter_id] as const;
      }),
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('You or the person who invited you are already in a couple');
    throw error;
  }
  await forgetCouples(ctx.platform, [inviterId, userId]);
  return getCouple(ctx, userId, coupleId);
}

export async function declineInvite(ctx: CouplesContext, userId: string, rawCode: string) {
  await ctx.db.transaction().execute(async (trx) => {
    const invite = await repo.lockInvite(trx, normalise(rawCode));
    assertOpen(invite);
    if (invite.inviter_id === userId) throw conflict('Revoke your own invite instead of declining it');
    // Only someone who could accept it may decline it: a stranger already in a couple
    // must not spend the invite meant for someone else.
    if (await repo.isInActiveCouple(trx, { userId })) {
      throw conflict('You are already in a couple, so this invite is not yours to decline');
    }
    await repo.setInviteStatus(trx, invite.code, 'declined', userId);
  });
  return showInvite(ctx, rawCode);
}

export async function revokeInvite(ctx: CouplesContext, userId: string, rawCode: string) {
  await ctx.db.transaction().execute(async (trx) => {
    const invite = await repo.lockInvite(trx, normalise(rawCode));
    if (!invite) throw notFound('Invite');
    if (invite.inviter_id !== userId) throw forbidden('Only the person who created an invite can revoke it');
    if (invite.status !== 'pending') throw conflict(`This invite was already ${invite.status}`);
    await repo.setInviteStatus(trx, invite.code, 'revoked', null);
  });
  return showInvite(ctx, rawCode);
}

function daysSince(day: string, now = new Date()): number {
  const start = Date.parse(`${day}T00:00:00Z`);
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  return Math.max(0, Math.floor((today - start) / 86_400_000));
}

async function present(ctx: CouplesContext, userId: string, couple: CoupleRow) {
  const isA = couple.user_a === userId;
  const partnerId = isA ? couple.user_b : couple.user_a;
  const cards = partnerId ? await profileCards(ctx.platform, [partnerId]) : new Map();
  return {
    id: couple.id,
    status: couple.status,
    partner: (partnerId && cards.get(partnerId)) ?? null,
    linkedAt: couple.linked_at.toISOString(),
    relationshipStart: couple.relationship_start,
    anniversary: couple.anniversary,
    daysTogether: daysSince(couple.relationship_start ?? couple.linked_at.toISOString().slice(0, 10)),
    nicknames: {
      forPartner: isA ? couple.nickname_a : couple.nickname_b,
      fromPartner: isA ? couple.nickname_b : couple.nickname_a,
    },
    closedAt: couple.closed_at?.toISOString() ?? null,
    readOnlyUntil: couple.read_only_until?.toISOString() ?? null,
  };
}

async function getCouple(ctx: CouplesContext, userId: string, coupleId: string) {
  const couple = await ctx.db
    .selectFrom('couples_couples')
    .selectAll()
    .where('id', '=', coupleId)
    .executeTakeFirst();
  if (!couple) throw notFound('Couple', coupleId);
  return present(ctx, userId, couple);
}

/** The active couple, or during the read-only period the one that just closed. */
export async function myCouple(ctx: CouplesContext, userId: string) {
  const couple = await repo.currentCouple(ctx.db, { userId });
  if (!couple) throw notFound('Couple');
  return present(ctx, userId, couple);
}

function checkDay(value: string | null | undefined, field: string): void {
  if (value === null || value === undefined) return;
  const day = new Date(`${value}T00:00:00Z`);
  if (
    Number.isNaN(day.getTime()) ||
    day.toISOString().slice(0, 10) !== value ||
    day.getUTCFullYear() < 1900
  ) {
    throw validationError(`${field} must be a real date after 1900 (YYYY-MM-DD)`, field);
  }
}

export async function updateCouple(ctx: CouplesContext, userId: string, input: CoupleUpdate) {
  checkDay(input.relationshipStart, 'relationshipStart');
  checkDay(input.anniversary, 'anniversary');
  if (input.relationshipStart && Date.parse(input.relationshipStart) > Date.now()) {
    throw validationError('relationshipStart must not be in the future', 'relationshipStart');
  }
  const couple = await ctx.db.transaction().execute(async (trx) => {
    const current = await repo.lockActiveCouple(trx, { userId });
    if (!current) {
      if (await repo.currentCouple(trx, { userId })) throw conflict('This couple is closed and read-only');
      throw notFound('Couple');
    }
    const nickname = current.user_a === userId ? 'nickname_a' : 'nickname_b';
    return trx
      .updateTable('couples_couples')
      .set({
        ...(input.relationshipStart !== undefined ? { relationship_start: input.relationshipStart } : {}),
        ...(input.anniversary !== undefined ? { anniversary: input.anniversary } : {}),
        ...(input.nickname !== undefined ? { [nickname]: input.nickname?.trim() || null } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return present(ctx, userId, couple);
}

/** Closes the caller's couple; both keep read access for the read-only period. */
export async function unlink(ctx: CouplesContext, userId: string) {
  const couple = await ctx.db.transaction().execute(async (trx) => {
    const current = await repo.lockActiveCouple(trx, { userId });
    if (!current) throw notFound('Couple');
    const closed = await repo.closeCouple(trx, current.id, userId, 'unlinked');
    await publish(
      trx,
      'couple.unlinked',
      {
        coupleId: closed.id,
        userIds: [closed.user_a, closed.user_b].filter((id): id is string => id !== null),
        closedBy: userId,
        reason: 'unlinked',
        readOnlyUntil: closed.read_only_until!.toISOString(),
      },
      { actorId: userId, coupleId: closed.id },
    );
    return closed;
  });
  await forgetCouples(ctx.platform, [couple.user_a, couple.user_b]);
  return present(ctx, userId, couple);
}

/** Deletes couples whose read-only period ended; other modules drop their shared data on `couple.purged`. */
export async function purgeClosedCouples(db: CouplesDb): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const purged = await repo.purgeDueQuery(trx, new Date()).execute();
    for (const { id } of purged) await publish(trx, 'couple.purged', { coupleId: id }, { coupleId: id });
    return purged.length;
  });
}
