import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

/** How long a key is honoured (the plugin's default `ttlHours`). */
export const IDEMPOTENCY_TTL_HOURS = 24;

const CHUNK = 5000;

/**
 * Deletes Idempotency-Key records older than their lifetime, in chunks so no
 * single transaction holds many locks. An expired record is already ignored
 * by the plugin, so this only keeps the table small. Runs as an hourly job.
 */
export async function pruneIdempotencyKeys(
  database: Database,
  ttlHours: number = IDEMPOTENCY_TTL_HOURS,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const result = await sql`
      delete from idempotency_keys where ctid in (
        select ctid from idempotency_keys
        where created_at < now() - make_interval(hours => ${ttlHours})
        limit ${CHUNK})`.execute(database.db);
    const count = Number(result.numAffectedRows ?? 0);
    removed += count;
    if (count < CHUNK) return removed;
  }
}
