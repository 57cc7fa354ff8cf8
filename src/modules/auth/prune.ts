import type { AuthDb } from './tables.ts';

/**
 * Spent one-time tokens and MFA challenges are kept this long after use, so a
 * second click on a mail link still reads as "already used" for a while
 * rather than "unknown".
 */
const SPENT_GRACE_MS = 24 * 3600 * 1000;

export interface Pruned {
  oneTimeTokens: number;
  mfaChallenges: number;
  oauthFlows: number;
  refreshTokens: number;
}

/**
 * Deletes what auth no longer needs: one-time tokens and MFA challenges that
 * expired or were spent over a day ago, OAuth flows past their expiry, and
 * refresh tokens past their lifetime (a spent but unexpired one is kept: it is
 * what detects reuse). Runs as an hourly job; every row it deletes would
 * already be refused.
 */
export async function pruneAuth(db: AuthDb, now: Date = new Date()): Promise<Pruned> {
  const spentBefore = new Date(now.getTime() - SPENT_GRACE_MS);
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  const oneTimeTokens = await db
    .deleteFrom('auth_one_time_tokens')
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('used_at', '<', spentBefore)]))
    .executeTakeFirst();
  const mfaChallenges = await db
    .deleteFrom('auth_mfa_challenges')
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('consumed_at', '<', spentBefore)]))
    .executeTakeFirst();
  const oauthFlows = await db.deleteFrom('auth_oauth_flows').where('expires_at', '<', now).executeTakeFirst();
  const refreshTokens = await db
    .deleteFrom('auth_refresh_tokens')
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return {
    oneTimeTokens: count(oneTimeTokens),
    mfaChallenges: count(mfaChallenges),
    oauthFlows: count(oauthFlows),
    refreshTokens: count(refreshTokens),
  };
}
