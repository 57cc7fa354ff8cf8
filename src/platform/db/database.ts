import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
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
  /**
   * Sends each distinct query text as a named (protocol-level) prepared
   * statement, so PostgreSQL parses it once per connection and may keep a
   * generic plan instead of planning every call (see `preparingPool`). Off by
   * default: PgBouncer in transaction mode before 1.21 (Debian 12 ships 1.18)
   * does not carry prepared statements between server connections.
   */
  preparedStatements?: boolean;
}

export function createDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    application_name: options.applicationName ?? 'one2one-love',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: options.preparedStatements ? preparingPool(pool) : pool }),
  });
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

/** Distinct texts named per process; past it, new texts go unnamed (as without the option). */
const MAX_PREPARED = 500;
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Kysely's pool, with every data statement named after a hash of its text: pg
 * prepares a name once per connection and then only binds and executes it.
 * Kysely compiles one query shape to one text, so the names stay few; texts
 * beyond MAX_PREPARED (queries built with variable-length lists) and utility
 * statements (BEGIN, SAVEPOINT, DDL) are sent unnamed. A prepared `select *`
 * fails with "cached plan must not change result type" if its table's columns
 * change under a running process, so migrate before starting processes with it.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED && PREPARABLE.test(text)) {
      name = `o2o_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      const wrapped = {
        query(config: unknown, values?: unknown[]) {
          if (typeof config === 'string') {
            const name = nameOf(config);
            if (name) return client.query({ name, text: config, values });
            return client.query(config, values);
          }
          return client.query(config as pg.QueryConfig, values);
        },
        release: () => client.release(),
      };
      return wrapped as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
