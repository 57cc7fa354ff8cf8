import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';

/**
 * Migrations are code, listed in src/migrations.ts. Each name starts with a
 * UTC timestamp so the order is global across modules.
 */
export type Migrations = Record<string, Migration>;

function migrator(db: Kysely<unknown>, migrations: Migrations): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed ?? '(unknown)'} failed: ${cause}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<unknown>, migrations: Migrations): Promise<string[]> {
  return unwrap(await migrator(db, migrations).migrateToLatest());
}

/** Reverts the most recent migration; returns its name (or nothing if none is applied). */
export async function migrateDown(db: Kysely<unknown>, migrations: Migrations): Promise<string[]> {
  return unwrap(await migrator(db, migrations).migrateDown());
}

/** Applies the next pending migration only; returns its name (or nothing when up to date). */
export async function migrateUp(db: Kysely<unknown>, migrations: Migrations): Promise<string[]> {
  return unwrap(await migrator(db, migrations).migrateUp());
}
