import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

// bigint (int8) and numeric arrive as strings by default; counts are far below
// 2^53, so numbers are the less surprising type for callers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// A `date` is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a
// Date at local midnight, which shifts by a day in time zones west of UTC.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export interface Database {
  /** Typed query builder; modules declare their own table interfaces. */
  // biome-ignore lint/suspicious/noExplicitAny: each module narrows this with its own table types
  db: Kysely<any>;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
}

export function createDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    application_name: options.applicationName ?? 'one2one-love',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // A client losing its server (restart, failover) must not crash the process:
  // an idle one reports to the pool, a checked-out one between two queries (in a
  // transaction, or held by a consumer) to itself. Its next query fails and the
  // pool drops it on release (it is no longer queryable).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

export async function pingDatabase(pool: pg.Pool): Promise<void> {
  await pool.query('select 1');
}
