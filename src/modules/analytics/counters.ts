import type { Platform } from '../../platform/platform.ts';

/**
 * The live dashboard's counters, in the platform cache (Redis shared by every
 * process, or this process's memory): events per second, love notes sent per
 * minute, and users active in the last five minutes. Writers bump them after
 * a batch commits; the dashboard only reads a handful of keys, never the
 * events table. Best effort: a counter lost to a cache outage is not retried.
 *
 * Active users: a user seen in minute m counts in the five windows ending at
 * m..m+4 (`active:<w>` = users seen in minutes w-4..w). A per-user-per-window
 * marker (`seen:<w>:<user>`, incremented atomically) makes each user count
 * once per window whichever process saw them; this process remembers which
 * users it already marked this minute, so a busy user costs nothing more.
 */
const PREFIX = 'analytics.live';
const WINDOW_MINUTES = 5;
const second = (ms: number) => Math.floor(ms / 1000);
const minute = (ms: number) => Math.floor(ms / 60_000);

export interface LiveStats {
  activeUsers: number;
  eventsPerSecond: number;
  notesPerMinute: number;
  at: string;
}

export function liveCounters(platform: Platform) {
  const cache = platform.cache;
  let markedMinute = -1;
  let marked = new Set<string>();

  async function markActive(userIds: Iterable<string>, now: number): Promise<void> {
    const m = minute(now);
    if (m !== markedMinute) {
      markedMinute = m;
      marked = new Set();
    }
    const fresh = [...new Set(userIds)].filter((id) => !marked.has(id));
    for (const id of fresh) marked.add(id);
    await Promise.all(
      fresh.flatMap((id) =>
        Array.from({ length: WINDOW_MINUTES }, async (_, i) => {
          const w = m + i;
          if ((await cache.increment(`${PREFIX}:seen:${w}:${id}`, 1, 60 * (WINDOW_MINUTES + 2))) === 1) {
            await cache.increment(`${PREFIX}:active:${w}`, 1, 60 * (WINDOW_MINUTES + 2));
          }
        }),
      ),
    );
  }

  return {
    /** After a commit: `events` new rows, by these users (null: anonymous), `notes` of them love notes sent. */
    async record(events: number, userIds: Array<string | null>, notes = 0, now = Date.now()): Promise<void> {
      const work: Array<Promise<unknown>> = [];
      if (events > 0) work.push(cache.increment(`${PREFIX}:events:${second(now)}`, events, 120));
      if (notes > 0) work.push(cache.increment(`${PREFIX}:notes:${minute(now)}`, notes, 600));
      work.push(
        markActive(
          userIds.filter((id): id is string => id !== null),
          now,
        ),
      );
      await Promise.all(work).catch(() => {});
    },
    /** Events/s over the last 10 whole seconds, notes in the last whole minute, users active in the last 5. */
    async read(now = Date.now()): Promise<LiveStats> {
      const s = second(now);
      const m = minute(now);
      const [perSecond, notes, active] = await Promise.all([
        Promise.all(Array.from({ length: 10 }, (_, i) => cache.get<number>(`${PREFIX}:events:${s - 1 - i}`))),
        cache.get<number>(`${PREFIX}:notes:${m - 1}`),
        cache.get<number>(`${PREFIX}:active:${m}`),
      ]);
      const events = perSecond.reduce<number>((sum, n) => sum + Number(n ?? 0), 0);
      return {
        activeUsers: Number(active ?? 0),
        eventsPerSecond: events / 10,
        notesPerMinute: Number(notes ?? 0),
        at: new Date(now).toISOString(),
      };
    },
  };
}
export type LiveCounters = ReturnType<typeof liveCounters>;
