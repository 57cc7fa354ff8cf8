import { AsyncLocalStorage } from 'node:async_hooks';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Where the current unit of work (an HTTP request) wants its reads: `primary()`
 * resolves true when it must see its own recent writes (read-your-writes).
 * Outside any scope (workers, scripts) reads go to a replica.
 */
export interface ReadScope {
  primary(): Promise<boolean>;
}

export const readScope = new AsyncLocalStorage<ReadScope>();

export interface Replica {
  /** `replica-1`, … in the order of DATABASE_REPLICA_URLS (URLs carry passwords: never shown). */
  name: string;
  pool: pg.Pool;
}

/** After a replica refuses a connection, reads skip it this long and go to the primary. */
const SKIP_FAILED_MS = 5_000;

export type ReadTarget = 'primary' | 'replica';

/**
 * The pool behind `database.reader`: each connection Kysely asks for comes from
 * the next healthy replica (round robin), or from the primary when the scope
 * needs its own writes or no replica answers. Kysely takes one connection per
 * query (or per transaction), so the choice is made per query.
 */
export function createRoutingPool(
  primary: pg.Pool,
  replicas: readonly Replica[],
  onRoute: (target: ReadTarget) => void = () => {},
): PostgresPool {
  const skipUntil = new Map<Replica, number>();
  let next = 0;

  function pick(): Replica | undefined {
    const now = Date.now();
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(next + i) % replicas.length]!;
      if ((skipUntil.get(replica) ?? 0) <= now) {
        next = (next + i + 1) % replicas.length;
        return replica;
      }
    }
    return undefined;
  }

  async function fromPrimary(): Promise<PostgresPoolClient> {
    onRoute('primary');
    return primary.connect();
  }

  return {
    async connect() {
      const scope = readScope.getStore();
      if (scope && (await scope.primary())) return fromPrimary();
      const replica = pick();
      if (!replica) return fromPrimary();
      try {
        const client = await replica.pool.connect();
        onRoute('replica');
        return client;
      } catch {
        skipUntil.set(replica, Date.now() + SKIP_FAILED_MS);
        return fromPrimary();
      }
    },
    // The pools are ended by the Database that owns them.
    async end() {},
  };
}
