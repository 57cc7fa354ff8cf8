import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { createRoutingPool, type ReadTarget, type Replica } from './read-routing.ts';
import { timestamptzParser } from './timestamptz.ts';

// bigint (int8) and numeric arrive as strings by default; counts are far below
// 2^53, so numbers are the less surprising type for callers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// A `date` is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a
// Date at local midnight, which shifts by a day in time zones west of UTC.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
// timestamptz: a list page parses about a hundred; pg-types' parser runs three regular expressions on each.
/** pg-types' own timestamptz parser, for the forms the fast one leaves to it (and the tests). */
export const pgTimestamptz: (value: string) => unknown = pg.types.getTypeParser(
  pg.types.builtins.TIMESTAMPTZ,
);
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, timestamptzParser(pgTimestamptz));

export type { Replica } from './read-routing.ts';

export interface Database {
  /** Typed query builder on the primary; modules declare their own table interfaces. */
  // biome-ignore lint/suspicious/noExplicitAny: each module narrows this with its own table types
  db: Kysely<any>;
  /**
   * For reads that may lag the primary by the replication delay: a streaming
   * replica when DATABASE_REPLICA_URLS is set, else the same primary as `db`.
   * Inside a request that wrote, or of a user who wrote moments ago, it reads
   * from the primary (read-your-writes, http/read-your-writes.ts). Hot read
   * paths use it; anything that reads in order to write uses `db`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each module narrows this with its own table types
  reader: Kysely<any>;
  pool: pg.Pool;
  replicas: Replica[];
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
  /** Streaming replicas for `reader` (each gets a pool of `poolMax`). */
  replicaUrls?: readonly string[];
  /** Called for each connection `reader` takes, with where it went (metrics, tests). */
  onRead?: (target: ReadTarget) => void;
  /**
   * Sends each distinct query text as a named (protocol-level) prepared
   * statement, so PostgreSQL parses it once per connection and may keep a
   * generic plan instead of planning every call (see `preparingPool`); the
   * replicas' reads too. Not behind PgBouncer in transaction mode before 1.21
   * (Debian 12 ships 1.18): it does not carry prepared statements between
   * server connections (config.ts defaults it by DATABASE_DIRECT_URL).
   */
  preparedStatements?: boolean;
}

function createPool(url: string, max: number, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // A client losing its server (restart, failover) must not crash the process:
  // an idle one reports to the pool, a checked-out one between two queries (in a
  // transaction, or held by a consumer) to itself. Its next query fails and the
  // pool drops it on release (it is no longer queryable).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function createDatabase(options: DatabaseOptions): Database {
  const applicationName = options.applicationName ?? 'one2one-love';
  const pool = createPool(options.url, options.poolMax, applicationName);
  // The replicas follow the primary's setting: the reader prepares when the writer does.
  const prepared = (target: PostgresPool) => (options.preparedStatements ? preparingPool(target) : target);
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: prepared(pool) }),
  });
  const replicas: Replica[] = (options.replicaUrls ?? []).map((url, i) => ({
    name: `replica-${i + 1}`,
    pool: createPool(url, options.poolMax, `${applicationName}-reader`),
  }));
  const reader =
    replicas.length === 0
      ? db
      : new Kysely({
          dialect: new PostgresDialect({ pool: prepared(createRoutingPool(pool, replicas, options.onRead)) }),
        });
  let closed = false;
  return {
    db,
    reader,
    pool,
    replicas,
    async close() {
      if (closed) return;
      closed = true;
      if (reader !== db) await reader.destroy();
      await db.destroy();
      await Promise.all(replicas.map((replica) => replica.pool.end()));
    },
  };
}

export async function pingDatabase(pool: pg.Pool): Promise<void> {
  await pool.query('select 1');
}

/**
 * A replica's state for /ready: still replaying WAL and how far behind, or
 * the reason it cannot serve. Reads skip a replica that refuses connections,
 * so this informs rather than gates readiness.
 */
export async function replicaState(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ recovering: boolean; caughtUp: boolean | null; lag: number | null }>(
    `select pg_is_in_recovery() as recovering,
            pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() as "caughtUp",
            extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as lag`,
  );
  const row = rows[0];
  if (!row?.recovering) return 'ok: not in recovery (promoted?)';
  if (row.caughtUp) return 'ok: replica, caught up';
  return `ok: replica, replaying (last replayed commit ${(row.lag ?? 0).toFixed(1)}s old)`;
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
export function preparingPool(pool: PostgresPool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED && PREPARABLE.test(text)) {
      name = `o2o_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };
  // One wrapper per pg client, kept while the client lives: Kysely keeps its connection object per
  // client it is handed, so a new wrapper on every checkout would make it build a new one each time.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    const wrapped = {
      query(config: unknown, values?: unknown[]) {
        if (typeof config === 'string') {
          const name = nameOf(config);
          if (name) return client.query({ name, text: config, values });
          return client.query(config, values);
        }
        return client.query(config as pg.QueryConfig, values);
      },
      // Kysely passes true for a connection it discarded (a failed rollback): pg then destroys the
      // client instead of pooling it, and its wrapper goes with it.
      release: (discard?: boolean) => client.release(discard),
    } as unknown as PostgresPoolClient;
    wrappers.set(client, wrapped);
    return wrapped;
  };
  return {
    async connect() {
      // A pg client under Kysely's narrower type (every pool here is pg's, or routes to pg's).
      const client = (await pool.connect()) as unknown as pg.PoolClient;
      return wrappers.get(client) ?? wrap(client);
    },
    end: () => pool.end(),
  };
}
