import { MAX_BROADCAST_BYTES } from '../../platform/broadcast.ts';
import type { Platform } from '../../platform/platform.ts';
import type { AuthDb } from './tables.ts';

/**
 * Sessions revoked in the last access-token lifetime, held in every process's
 * memory so the access-token check refuses their still-unexpired tokens on
 * every route at the cost of one Map lookup, no query. A revocation (sign-out,
 * password change, suspension, deletion, role change, refresh reuse) is added
 * here and broadcast to the other processes after it commits; a process
 * fills the set from auth_sessions when it starts listening (and again after
 * a lost connection, which may have missed messages). An entry is dropped
 * once every token of its session has expired.
 */
export interface Revocations {
  /** True while an access token of this session may still be unexpired after its revocation. */
  refuses(sessionId: string): boolean;
  /** After the revocation committed: refuses here at once and tells every other process. */
  announce(sessionIds: readonly string[]): Promise<void>;
  /** Resolves once the first fill from the database is done (start-up waits for it, briefly). */
  ready(): Promise<void>;
}

const CHANNEL = 'o2o_revoked_sessions';
/** A UUID plus its quotes and comma in the JSON array. */
const IDS_PER_MESSAGE = Math.floor(MAX_BROADCAST_BYTES / 40);

export function createRevocations(
  platform: Platform,
  options: { db: AuthDb; lifetimeMs: number; onError: (error: unknown) => void },
): Revocations {
  /** Session id → when its last token expires at the latest (ms). */
  const until = new Map<string, number>();
  let nextSweep = 0;
  const add = (ids: readonly string[], revokedAt: number) => {
    const expires = revokedAt + options.lifetimeMs;
    for (const id of ids) if ((until.get(id) ?? 0) < expires) until.set(id, expires);
    sweep();
  };
  // Lazily, on writes only: the set holds the revocations of one token lifetime, so this stays small.
  const sweep = () => {
    const now = Date.now();
    if (now < nextSweep) return;
    nextSweep = now + 60_000;
    for (const [id, expires] of until) if (expires <= now) until.delete(id);
  };

  let firstFill: () => void = () => {};
  const filled = new Promise<void>((resolve) => {
    firstFill = resolve;
  });
  const fill = async () => {
    const since = new Date(Date.now() - options.lifetimeMs);
    const rows = await options.db
      .selectFrom('auth_sessions')
      .select(['id', 'revoked_at'])
      .where('revoked_at', '>', since)
      .execute();
    for (const row of rows) if (row.revoked_at) add([row.id], row.revoked_at.getTime());
  };

  // Redis is shared by deployments (and test runs) told apart by their key prefix.
  const prefix = platform.config.redis ? platform.config.gateway.redisPrefix : '';
  const broadcast = platform.broadcast({
    channel: `${prefix}${CHANNEL}`,
    onMessage(message) {
      try {
        const ids = JSON.parse(message) as unknown;
        if (Array.isArray(ids))
          add(
            ids.filter((id) => typeof id === 'string'),
            Date.now(),
          );
      } catch {
        // Not ours or truncated: nothing to refuse.
      }
    },
    onConnect() {
      fill().then(firstFill, options.onError);
    },
    onError: options.onError,
  });

  return {
    refuses(sessionId) {
      const expires = until.get(sessionId);
      return expires !== undefined && expires > Date.now();
    },
    async announce(sessionIds) {
      if (sessionIds.length === 0) return;
      add(sessionIds, Date.now());
      for (let i = 0; i < sessionIds.length; i += IDS_PER_MESSAGE) {
        const message = JSON.stringify(sessionIds.slice(i, i + IDS_PER_MESSAGE));
        // The revocation is committed either way: without the broadcast the other processes
        // refuse the session's tokens once they reload, or when the tokens expire.
        await broadcast.publish(message).catch(options.onError);
      }
    },
    ready: () => filled,
  };
}
