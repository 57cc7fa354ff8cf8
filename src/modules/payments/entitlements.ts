import { sql } from 'kysely';
import { afterCommit } from '../../platform/bus/after-commit.ts';
import type { EventEnvelope } from '../../platform/bus/events.ts';
import type { Platform } from '../../platform/platform.ts';
import { activeCoupleOf, cachedActiveCoupleOf, coupleTag } from '../couples/index.ts';
import type { PaymentsDb, PaymentsTrx, SubscriptionStatus } from './tables.ts';

/**
 * Who has premium. An entitlement belongs to its subscriber and, while the
 * subscriber is linked, to their couple (`couple_id`, kept by the
 * couple.linked / couple.unlinked consumers): one subscription unlocks
 * premium for both partners, and after an unlink it stays with the one who
 * pays. Reads go by the reader's active couple now (couples' cached answer),
 * so linking and unlinking take effect at once, before their events are
 * consumed, and a late event cannot share premium with a former partner.
 *
 * `has(userId, 'premium')` is asked by other modules on hot paths: the answer
 * is kept in the gateway cache's store (Redis or this process's memory) under
 * the user's payments tag and the couples module's tag, so payments' writes
 * and linking/unlinking make every process ask again.
 */
export const paymentsTag = (userId: string) => `payments.user:${userId}`;
const TTL_MS = 5 * 60_000;

/** What a subscription status grants. `past_due` keeps premium while the provider retries the payment. */
export function entitlementOf(status: SubscriptionStatus): 'active' | 'grace' | 'inactive' {
  if (status === 'active' || status === 'trialing') return 'active';
  if (status === 'past_due') return 'grace';
  return 'inactive';
}

export interface PremiumSource {
  subscriptionId: string;
  subscriberId: string;
  state: 'active' | 'grace';
  expiresAt: Date | null;
}

/** The entitlements that give this user premium now: their own first, then their partner's. */
export async function premiumSources(
  db: PaymentsDb | PaymentsTrx,
  userId: string,
  couple: { coupleId: string; partnerId: string | null } | null,
): Promise<PremiumSource[]> {
  const rows = await db
    .selectFrom('payments_entitlements')
    .select(['subscription_id', 'subscriber_id', 'state', 'expires_at'])
    .where('feature', '=', 'premium')
    .where('state', 'in', ['active', 'grace'])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .where((eb) =>
      couple
        ? eb.or([
            eb('subscriber_id', '=', userId),
            eb('couple_id', '=', couple.coupleId),
            // The partner's own entitlement counts from the moment of linking, before
            // couple.linked is consumed (which files it under the couple).
            ...(couple.partnerId ? [eb('subscriber_id', '=', couple.partnerId)] : []),
          ])
        : eb('subscriber_id', '=', userId),
    )
    .execute();
  return rows
    .map((row) => ({
      subscriptionId: row.subscription_id,
      subscriberId: row.subscriber_id,
      state: row.state as 'active' | 'grace',
      expiresAt: row.expires_at,
    }))
    .sort((a, b) => Number(b.subscriberId === userId) - Number(a.subscriberId === userId));
}

/** The answer, and how long it may be kept: never past the moment an app-store entitlement expires. */
async function hasPremium(platform: Platform, userId: string): Promise<{ answer: boolean; ttlMs: number }> {
  const couple = await cachedActiveCoupleOf(platform, userId);
  const sources = await premiumSources(platform.database.db as PaymentsDb, userId, couple);
  const open = sources.filter((s) => s.expiresAt === null);
  const ends = sources.map((s) => s.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
  const ttlMs =
    sources.length === 0 || open.length > 0 ? TTL_MS : Math.min(TTL_MS, Math.max(...ends) - Date.now());
  return { answer: sources.length > 0, ttlMs };
}

/** The port other modules use (`isPremium` in their options is wired to it). */
export function entitlementsOf(platform: Platform): {
  has(userId: string, feature: 'premium'): Promise<boolean>;
} {
  return {
    async has(userId, feature) {
      if (feature !== 'premium') return false;
      const store = platform.responseCache.store;
      const key = `payments.premium:${userId}`;
      const tags = [paymentsTag(userId), coupleTag(userId)];
      let versions: string | undefined;
      try {
        const found = await store.lookup(key, tags);
        if (found.hit) return found.entry.body === 'true';
        versions = found.versions;
      } catch {
        // The store is unreachable: the database answers.
      }
      const { answer, ttlMs } = await hasPremium(platform, userId);
      if (versions !== undefined && ttlMs >= 1000) {
        store.store(key, { etag: '', body: String(answer) }, tags, versions, ttlMs).catch(() => {});
      }
      return answer;
    },
  };
}

/** After a commit that changed what these users are entitled to: every process asks again. */
export function forgetEntitlements(platform: Platform, userIds: Array<string | null | undefined>) {
  const ids = [...new Set(userIds.filter((id): id is string => typeof id === 'string'))];
  return platform.responseCache.invalidate(ids.map(paymentsTag));
}

/** The subscriber and, if linked, their partner: whose answers a change to their entitlement moves. */
export async function sharersOf(db: PaymentsDb, subscriberId: string): Promise<string[]> {
  const couple = await activeCoupleOf(db, subscriberId);
  return [subscriberId, ...(couple?.partnerId ? [couple.partnerId] : [])];
}

/** couple.linked: both partners' entitlements now belong to the couple too. */
export async function onCoupleLinked(trx: PaymentsTrx, coupleId: string, userIds: string[]): Promise<void> {
  // Only while it is still their couple: a late event of an older couple changes nothing.
  const members: string[] = [];
  for (const userId of userIds) {
    if ((await activeCoupleOf(trx, userId))?.coupleId === coupleId) members.push(userId);
  }
  if (members.length === 0) return;
  await trx
    .updateTable('payments_entitlements')
    .set({ couple_id: coupleId, updated_at: new Date() })
    .where('subscriber_id', 'in', members)
    .execute();
}

/** couple.unlinked: each entitlement stays with its subscriber only. */
export async function onCoupleUnlinked(trx: PaymentsTrx, coupleId: string): Promise<void> {
  await trx
    .updateTable('payments_entitlements')
    .set({ couple_id: null, updated_at: new Date() })
    .where('couple_id', '=', coupleId)
    .execute();
}

/**
 * The `couple.linked` / `couple.unlinked` consumer. The partners' cached answers are
 * forgotten once the handler's transaction commits: forgotten before, a `has` in between
 * would read the entitlements as they were and keep that answer for up to the TTL (5 min).
 */
export async function onCoupleEvent(
  platform: Platform,
  event: EventEnvelope<'couple.linked' | 'couple.unlinked'>,
  trx: PaymentsTrx,
): Promise<void> {
  const { coupleId, userIds } = event.data;
  if (event.type === 'couple.linked') await onCoupleLinked(trx, coupleId, userIds);
  else await onCoupleUnlinked(trx, coupleId);
  afterCommit(trx, () => forgetEntitlements(platform, userIds));
}
