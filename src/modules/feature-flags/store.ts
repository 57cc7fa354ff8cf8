import type { FlagDefinition } from './rules.ts';
import type { FlagRow, FlagsDb } from './tables.ts';

/**
 * One process's copy of every flag definition. Flags are read on hot paths
 * (every coach message), so evaluation reads memory; the copy is reloaded
 * whole (a small table) when it is older than `refreshMs`, on the first read
 * after that, by one query however many requests are waiting. A change made
 * through this process drops the copy at once (`invalidate`); a change made
 * through another process is seen here within `refreshMs`. No timer runs: an
 * idle process reads nothing.
 *
 * When a reload fails (the database is away) the last copy keeps answering
 * and the next read tries again after `refreshMs`; with no copy at all the
 * error reaches the provider, and the caller gets its fallback.
 */
export interface FlagStore {
  current(): Promise<ReadonlyMap<string, FlagDefinition>>;
  invalidate(): void;
}

export function toDefinition(row: FlagRow): FlagDefinition {
  return {
    key: row.key,
    enabled: row.enabled,
    defaultValue: row.default_value,
    rolloutPercentage: row.rollout_percentage,
    allowUsers: new Set(row.allow_users),
    denyUsers: new Set(row.deny_users),
  };
}

export function createFlagStore(db: FlagsDb, refreshMs: number, now = () => performance.now()): FlagStore {
  let snapshot: ReadonlyMap<string, FlagDefinition> | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  // Bumped by invalidate(): a reload that started before a change must not pass for fresh after it.
  let generation = 0;
  let loading: Promise<ReadonlyMap<string, FlagDefinition>> | undefined;

  async function load(): Promise<ReadonlyMap<string, FlagDefinition>> {
    const started = generation;
    const startedAt = now();
    try {
      const rows = await db.selectFrom('feature_flags_flags').selectAll().execute();
      const fresh = new Map(rows.map((row) => [row.key, toDefinition(row)]));
      // A reload older than the last change answers its own callers but is not kept as fresh.
      if (generation === started) {
        snapshot = fresh;
        loadedAt = startedAt;
      }
      return fresh;
    } catch (error) {
      if (!snapshot) throw error;
      if (generation === started) loadedAt = startedAt;
      return snapshot;
    }
  }

  return {
    current() {
      if (snapshot && now() - loadedAt < refreshMs) return Promise.resolve(snapshot);
      if (!loading) {
        const promise = load().finally(() => {
          if (loading === promise) loading = undefined;
        });
        loading = promise;
      }
      return loading;
    },
    invalidate() {
      generation++;
      loadedAt = Number.NEGATIVE_INFINITY;
      // Callers from now on wait for a read that starts after the change.
      loading = undefined;
    },
  };
}
