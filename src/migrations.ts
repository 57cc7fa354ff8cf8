import { MODULES } from './modules/index.ts';
import { migrations as platformMigrations } from './platform/db/migrations/index.ts';
import type { Migrations } from './platform/db/migrator.ts';
import { allMigrations } from './platform/module.ts';

/**
 * Every migration: the platform's and each module's (from its own
 * `migrations/` folder), whichever modules a process mounts. Names start
 * with a UTC timestamp, which orders them across modules.
 */
export const migrations: Migrations = allMigrations(platformMigrations, MODULES);
