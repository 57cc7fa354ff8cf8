import type { FastifyPluginAsync } from 'fastify';
import type { EventType } from './bus/events.ts';
import type { ConfigSection } from './config.ts';
import type { Migrations } from './db/migrator.ts';
import type { JobName } from './jobs/job-map.ts';
import type { Platform } from './platform.ts';
import type { LiveDeclaration } from './realtime/live-events.ts';

/**
 * The contract a bounded context fulfils. A module is one folder under
 * `src/modules/` whose `index.ts` exports one `AppModule`; adding it to the
 * list in `src/modules/index.ts` is the only edit outside that folder.
 * `MODULES` picks which ones a process mounts, so the design's service split
 * is a deployment choice, not a fork.
 *
 * What a module declares here is also what the module-kit test checks: the
 * tables it owns (by prefix) come from its own migrations and have a
 * personal-data exporter; its events and jobs carry its own name.
 */
export interface AppModule {
  /** Also the `MODULES` value, the bus consumer group and the prefix of its events, jobs and live events. */
  name: string;
  /**
   * Prefix of every table this module's migrations create (`love_notes_`).
   * A module owns its tables: no other module reads or writes them.
   */
  tablePrefix?: string;
  /** Its migrations, from its own `migrations/` folder (`migrations/index.ts`). */
  migrations?: Migrations;
  /**
   * The event types it publishes, declared in its `events.ts` by augmenting
   * the platform's `EventMap` (so `publish(trx, type, data)` type-checks).
   */
  events?: readonly EventType[];
  /** The job names it defines, declared in its `jobs.ts` by augmenting `JobMap`. */
  jobs?: readonly JobName[];
  /**
   * The live events it pushes to users' connections (declared in its `live.ts`
   * by augmenting `LiveEventMap`) and how to rebuild what a reconnecting client
   * missed; the platform's one realtime endpoint serves them in every API process.
   */
  live?: LiveDeclaration;
  /** Its configuration section, read from the environment at start (`config.ts`, augmenting `ModuleConfigs`). */
  config?: ConfigSection;
  /**
   * How the module exports and erases what it holds about a person (GDPR).
   * Required of every module that owns tables: the module-kit test checks it.
   */
  personalData?: PersonalData;
  routes?: FastifyPluginAsync<{ platform: Platform }>;
  /** Where `routes` mount: `/v1` unless a module's API is not versioned by URL (GraphQL: ''). */
  prefix?: string;
  /**
   * Staff routes, mounted under `/v1` behind `requireRole('admin')` (paths
   * start with `/admin/`), so no module forgets the role check.
   */
  admin?: FastifyPluginAsync<{ platform: Platform }>;
  /**
   * Registered on the root app (wrap it with fastify-plugin) before any routes, in
   * every API process whatever MODULES says: request-wide hooks and unversioned
   * routes, e.g. auth's bearer check and JWKS.
   */
  global?: FastifyPluginAsync<{ platform: Platform }>;
  /**
   * Starts the module's consumers and defines its jobs and recurring work in a
   * worker; returns a stop function (a no-op when the bus and job runner hold everything).
   */
  worker?: (platform: Platform) => Promise<() => Promise<void>>;
}

export interface PersonalData {
  /** JSON-serialisable data about the user; becomes `<module>.json` in their export ZIP. */
  export(platform: Platform, userId: string): Promise<unknown>;
  /** Erases or anonymises everything the module holds about the user. Idempotent. */
  erase(platform: Platform, userId: string): Promise<void>;
}

/** Which of `all` a `MODULES` selection names; unknown names stop the start. */
export function selectModules(all: readonly AppModule[], selection: string[] | 'all'): AppModule[] {
  if (selection === 'all') return [...all];
  const unknown = selection.filter((name) => !all.some((m) => m.name === name));
  if (unknown.length > 0) throw new Error(`MODULES names unknown modules: ${unknown.join(', ')}`);
  return all.filter((m) => selection.includes(m.name));
}

/** Every migration: the platform's, then each module's, keyed by their timestamped names. */
export function allMigrations(platform: Migrations, modules: readonly AppModule[]): Migrations {
  const merged: Migrations = { ...platform };
  for (const module of modules) {
    for (const [name, migration] of Object.entries(module.migrations ?? {})) {
      if (name in merged) throw new Error(`Migration ${name} is declared twice (${module.name})`);
      merged[name] = migration;
    }
  }
  // The migrator orders by name; the timestamp prefix makes the order global across modules.
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}
