import { publish } from '../../platform/bus/publish.ts';
import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { forgetCouples } from './cache.ts';
import * as repo from './repo.ts';
import type { CouplesDb } from './tables.ts';

/**
 * The invites a person sent, oldest first: read through `couples_invites_inviter`
 * (test/modules/generic-plans.test.ts); the erasure deletes by the same key.
 */
export const invitesSentBy = (db: CouplesDb, userId: string) =>
  db
    .selectFrom('couples_invites')
    .select(['code', 'status', 'created_at', 'expires_at', 'responded_at'])
    .where('inviter_id', '=', userId)
    .orderBy('created_at');

/** What the couples module holds about a person, for export and erasure. */
export const couplesPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as CouplesDb;
    const couples = await db
      .selectFrom('couples_couples')
      .selectAll()
      .where((eb) => eb.or([eb('user_a', '=', userId), eb('user_b', '=', userId)]))
      .orderBy('linked_at')
      .execute();
    const invites = await invitesSentBy(db, userId).execute();
    return {
      couples: couples.map((c) => {
        const isA = c.user_a === userId;
        return {
          id: c.id,
          status: c.status,
          partnerId: isA ? c.user_b : c.user_a,
          linkedAt: c.linked_at,
          relationshipStart: c.relationship_start,
          anniversary: c.anniversary,
          nicknameForPartner: isA ? c.nickname_a : c.nickname_b,
          nicknameFromPartner: isA ? c.nickname_b : c.nickname_a,
          closedAt: c.closed_at,
          readOnlyUntil: c.read_only_until,
        };
      }),
      invitesSent: invites,
    };
  },

  /**
   * Closes the person's active couple (the partner keeps the read-only
   * period), then removes the person from every couple and invite. A couple
   * with neither member left is deleted.
   */
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as CouplesDb;
    const members = await db.transaction().execute(async (trx) => {
      const active = await repo.lockActiveCouple(trx, { userId });
      if (active) {
        const closed = await repo.closeCouple(trx, active.id, null, 'user-deleted');
        await publish(
          trx,
          'couple.unlinked',
          {
            coupleId: closed.id,
            userIds: [closed.user_a, closed.user_b].filter(
              (id): id is string => id !== null && id !== userId,
            ),
            closedBy: null,
            reason: 'user-deleted',
            readOnlyUntil: closed.read_only_until!.toISOString(),
          },
          { coupleId: closed.id },
        );
      }
      await trx.deleteFrom('couples_active_members').where('user_id', '=', userId).execute();
      await trx
        .updateTable('couples_couples')
        .set({ user_a: null, nickname_b: null })
        .where('user_a', '=', userId)
        .execute();
      await trx
        .updateTable('couples_couples')
        .set({ user_b: null, nickname_a: null })
        .where('user_b', '=', userId)
        .execute();
      await trx
        .updateTable('couples_couples')
        .set({ closed_by: null })
        .where('closed_by', '=', userId)
        .execute();
      await trx
        .deleteFrom('couples_couples')
        .where('user_a', 'is', null)
        .where('user_b', 'is', null)
        .execute();
      await trx.deleteFrom('couples_invites').where('inviter_id', '=', userId).execute();
      await trx
        .updateTable('couples_invites')
        .set({ responder_id: null })
        .where('responder_id', '=', userId)
        .execute();
      return [userId, active?.user_a ?? null, active?.user_b ?? null];
    });
    await forgetCouples(platform, members);
  },
};
