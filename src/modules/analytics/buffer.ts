import type { EventRow } from './repo.ts';

/**
 * Group commit. Requests add their rows to the open batch and wait for it;
 * the batch is written in one statement when it holds `flushRows` rows or
 * `flushMs` after its first row, whichever comes first, and every request in
 * it learns the outcome together: the ids that were new (written) — the rest
 * were already stored — or the error (nothing of the batch was written, so
 * nothing acknowledged is ever lost). A request's rows always go into one
 * batch. Above `maxPendingRows` waiting or being written, `add` refuses
 * (the caller answers 503) rather than queue without bound.
 */
export interface BufferOptions {
  flushMs: number;
  flushRows: number;
  maxPendingRows: number;
  /**
   * Batches written at once. A batch that is due while this many are being
   * written waits for one to finish and is written then, with whatever
   * joined it meanwhile (PostgreSQL writes a few large statements faster
   * than many concurrent ones: docs/analytics.md, benchmark).
   */
  maxInFlight: number;
  /** Writes distinct-id rows in one transaction; resolves with the ids that were new. */
  write(rows: EventRow[]): Promise<Set<string>>;
  /** After a successful write, with the rows it stored (live counters). */
  written?(rows: EventRow[]): void;
}

interface Batch {
  rows: EventRow[];
  ids: Set<string>;
  done: Promise<Set<string>>;
  resolve(fresh: Set<string>): void;
  reject(error: unknown): void;
}

export class Overloaded extends Error {}

function openBatch(): Batch {
  let resolve!: (fresh: Set<string>) => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<Set<string>>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections are handed to every waiter; none is left unhandled if no one waits.
  done.catch(() => {});
  return { rows: [], ids: new Set(), done, resolve, reject };
}

export function createBuffer(options: BufferOptions) {
  let open = openBatch();
  let timer: NodeJS.Timeout | undefined;
  let pending = 0;
  const inFlight = new Set<Promise<void>>();

  let due = false;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = open;
    if (batch.rows.length === 0) return;
    if (inFlight.size >= options.maxInFlight) {
      due = true;
      return;
    }
    due = false;
    open = openBatch();
    const size = batch.rows.length;
    const run = options
      .write(batch.rows)
      .then(
        (fresh) => {
          batch.resolve(fresh);
          options.written?.(batch.rows.filter((r) => fresh.has(r.id)));
        },
        (error: unknown) => batch.reject(error),
      )
      .finally(() => {
        pending -= size;
        inFlight.delete(run);
        if (due) flush();
      });
    inFlight.add(run);
  }

  return {
    /**
     * Adds rows to the open batch and resolves once that batch committed:
     * how many were new, and how many repeated an id already stored or
     * already in the batch (not written again). Rejects if the write failed.
     */
    async add(rows: EventRow[]): Promise<{ accepted: number; duplicates: number }> {
      if (rows.length === 0) return { accepted: 0, duplicates: 0 };
      if (pending + rows.length > options.maxPendingRows)
        throw new Overloaded('analytics ingestion is saturated');
      const batch = open;
      const owned: string[] = [];
      for (const row of rows) {
        if (batch.ids.has(row.id)) continue;
        batch.ids.add(row.id);
        batch.rows.push(row);
        owned.push(row.id);
        pending++;
      }
      if (batch.rows.length >= options.flushRows) flush();
      else if (!due) timer ??= setTimeout(flush, options.flushMs);
      const fresh = await batch.done;
      // An id another request put in this batch first is that request's to count.
      const accepted = owned.filter((id) => fresh.has(id)).length;
      return { accepted, duplicates: rows.length - accepted };
    },
    /** Rows accepted and not yet committed (or failed). */
    get pending() {
      return pending;
    },
    /** Writes what is open and waits for every write under way (shutdown). */
    async drain(): Promise<void> {
      flush();
      while (inFlight.size > 0 || open.rows.length > 0) {
        await Promise.allSettled([...inFlight]);
        flush();
      }
    },
  };
}
export type IngestBuffer = ReturnType<typeof createBuffer>;
