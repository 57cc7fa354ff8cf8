import { createHash, randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import { migrations } from '../../src/migrations.ts';
import { createDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrator.ts';
import { migrateJobs } from '../../src/platform/jobs/migrate.ts';
import { adminDatabaseUrl } from './servers.ts';

/**
 * Each test file gets a fresh database cloned from a migrated template. The
 * template's name carries a hash of the migration list, so a new migration
 * makes a new template and a stale one is never reused.
 */
const TEMPLATE = `o2o_tmpl_${createHash('sha256')
  .update([...Object.keys(migrations), 'graphile-worker'].join('\n'))
  .digest('hex')
  .slice(0, 12)}`;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureTemplate(client: pg.Client): Promise<void> {
  // One process builds the template; parallel test files wait on the lock.
  await client.query('select pg_advisory_lock(7242001)');
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [TEMPLATE]);
    if (rowCount) return;
    const building = `${TEMPLATE}_building`;
    await client.query(`drop database if exists ${building}`);
    await client.query(`create database ${building}`);
    const { db, close } = createDatabase({ url: withDatabase(adminDatabaseUrl(), building), poolMax: 1 });
    try {
      await migrateToLatest(db, migrations);
    } finally {
      await close();
    }
    await migrateJobs(withDatabase(adminDatabaseUrl(), building));
    await client.query(`alter database ${building} rename to ${TEMPLATE}`);
  } finally {
    await client.query('select pg_advisory_unlock(7242001)');
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `o2o_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (client) => {
    await ensureTemplate(client);
    // Cloning takes a lock on the template; serialise clones so none sees "being accessed by other users".
    await client.query('select pg_advisory_lock(7242002)');
    try {
      await client.query(`create database ${name} template ${TEMPLATE}`);
    } finally {
      await client.query('select pg_advisory_unlock(7242002)');
    }
  });
  return {
    name,
    url: withDatabase(adminDatabaseUrl(), name),
    drop: () =>
      withAdmin(async (client) => void (await client.query(`drop database if exists ${name} with (force)`))),
  };
}

/**
 * Gives the enclosing file or suite a fresh database and a pool on it, through
 * before/after hooks registered here: read `url` and `database` inside tests.
 */
export function useTestDatabase(options: { poolMax?: number } = {}): {
  readonly url: string;
  readonly database: Database;
} {
  let testDb: TestDatabase | undefined;
  let database: Database | undefined;
  before(async () => {
    testDb = await createTestDatabase();
    database = createDatabase({ url: testDb.url, poolMax: options.poolMax ?? 2 });
  });
  after(async () => {
    await database?.close();
    await testDb?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestDatabase: read it inside a test, after before()');
    return value;
  };
  return {
    get url() {
      return ready(testDb).url;
    },
    get database() {
      return ready(database);
    },
  };
}
