import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrations } from '../../src/migrations.ts';
import { MODULES } from '../../src/modules/index.ts';
import { migrations as platformMigrations } from '../../src/platform/db/migrations/index.ts';
import { migrateDown, migrateUp } from '../../src/platform/db/migrator.ts';
import type { JobName } from '../../src/platform/jobs/job-map.ts';
import type { AppModule } from '../../src/platform/module.ts';
import { createTestApp } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';

/**
 * The module kit's promises, checked against every module in the list: a
 * module's migrations come from its own folder and create only tables with
 * its prefix; a module that owns tables exports and erases personal data;
 * the events it publishes and the jobs it defines are the ones it declares.
 */
const ROOT = path.resolve(import.meta.dirname, '../../src');
const testDb = useTestDatabase();

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name));

async function tables(): Promise<Set<string>> {
  const { rows } = await sql<{ name: string }>`select c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`.execute(
    testDb.database.db,
  );
  return new Set(rows.map((r) => r.name));
}

describe('module kit', () => {
  it('module names are unique and each is a folder under src/modules', () => {
    const names = MODULES.map((m) => m.name);
    assert.deepEqual(names, [...new Set(names)]);
    const folders = readdirSync(path.join(ROOT, 'modules'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.deepEqual(
      [...names].sort(),
      [...folders].sort(),
      'every module folder is in the list, and only those',
    );
  });

  it("a module's migrations are the files of its own migrations/ folder", () => {
    for (const module of MODULES) {
      const dir = path.join(ROOT, 'modules', module.name, 'migrations');
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
      } catch {}
      assert.deepEqual(
        Object.keys(module.migrations ?? {}).sort(),
        files.map((f) => f.replace(/\.ts$/, '')).sort(),
        `${module.name}: migrations must be exactly the files in src/modules/${module.name}/migrations`,
      );
    }
  });

  it('each migration creates only tables of its owner; a module with tables has a personal-data exporter', async () => {
    const owner = new Map<string, AppModule | 'platform'>();
    for (const name of Object.keys(platformMigrations)) owner.set(name, 'platform');
    for (const module of MODULES)
      for (const name of Object.keys(module.migrations ?? {})) owner.set(name, module);
    assert.deepEqual([...owner.keys()].sort(), Object.keys(migrations).sort());

    while ((await migrateDown(testDb.database.db, migrations)).length > 0) {}
    const owned = new Map<string, string[]>();
    let before = await tables();
    for (;;) {
      const [applied] = await migrateUp(testDb.database.db, migrations);
      if (!applied) break;
      const after = await tables();
      const created = [...after].filter((t) => !before.has(t));
      before = after;
      const by = owner.get(applied)!;
      for (const table of created) {
        if (by === 'platform') {
          const claimed = MODULES.find((m) => m.tablePrefix && table.startsWith(m.tablePrefix));
          assert.equal(
            claimed,
            undefined,
            `platform migration ${applied} created ${table}, a module's table`,
          );
          continue;
        }
        assert.ok(by.tablePrefix, `${by.name} creates tables (${table}) but declares no tablePrefix`);
        assert.ok(
          table.startsWith(by.tablePrefix),
          `${applied} (${by.name}) created ${table}, not ${by.tablePrefix}*`,
        );
        owned.set(by.name, [...(owned.get(by.name) ?? []), table]);
      }
    }
    for (const module of MODULES) {
      if ((owned.get(module.name) ?? []).length > 0) {
        assert.ok(module.personalData, `${module.name} owns tables but has no personalData (export + erase)`);
      }
    }
    assert.ok(owned.size >= 5, 'the walk saw the modules that own tables');
  });

  /**
   * Events no longer published but still declared, so that rows written before the change (in the
   * outbox, on the bus) are still consumed. Strike one off once no deployment can hold it.
   */
  const RETIRED_EVENTS: Record<string, string> = {
    'notification.delivery-updated':
      'replaced by notification.deliveries-updated (one per notification) on 3 Dec 2026; love notes still files old ones',
    'love-note.sent':
      'folded into love-note.delivered (always published together) on 3 Dec 2026; analytics still records old ones',
  };

  it('every event a module publishes is one it declares, and it publishes each one it declares', () => {
    const declaredBy = new Map<string, string>();
    for (const module of MODULES) {
      for (const type of module.events ?? []) {
        assert.equal(declaredBy.get(type), undefined, `${type} is declared by two modules`);
        declaredBy.set(type, module.name);
      }
    }
    // publish(trx, 'type', …), outboxEvent('type', …) for events written several in one insert, or a type: field.
    const literal =
      /publish\(\s*\w+,\s*'([a-z][a-z.-]+)'|outboxEvent\(\s*'([a-z][a-z.-]+)'|type:\s*'([a-z-]+\.[a-z.-]+)'/g;
    for (const module of MODULES) {
      const published = new Set<string>();
      for (const file of sourceFiles(path.join(ROOT, 'modules', module.name))) {
        const text = readFileSync(file, 'utf8');
        if (!/\b(publish|withEvents|outboxEvent)\(/.test(text)) continue;
        for (const match of text.matchAll(literal)) published.add((match[1] ?? match[2] ?? match[3])!);
      }
      const declared = new Set<string>(module.events ?? []);
      for (const type of published) {
        assert.ok(declared.has(type), `${module.name} publishes ${type} without declaring it in its events`);
      }
      for (const type of declared) {
        if (type in RETIRED_EVENTS) {
          assert.ok(
            !published.has(type),
            `${type} is listed as retired but ${module.name} still publishes it`,
          );
          continue;
        }
        assert.ok(published.has(type), `${module.name} declares ${type} but never publishes it`);
      }
    }
  });

  it('every job a module defines is one it declares, and each declared job is defined', async () => {
    const t = await createTestApp();
    try {
      for (const module of MODULES) {
        if (!module.worker) {
          assert.equal(module.jobs, undefined, `${module.name} declares jobs but has no worker`);
          continue;
        }
        const defined: string[] = [];
        const jobs = t.platform.jobs;
        const recording = { ...jobs, define: (name: JobName) => void defined.push(name) } as typeof jobs;
        const bus = { ...t.platform.bus, consume: () => {} } as typeof t.platform.bus;
        const stop = await module.worker({ ...t.platform, jobs: recording, bus });
        await stop();
        assert.deepEqual(
          defined.sort(),
          [...(module.jobs ?? [])].sort(),
          `${module.name}: defined vs declared jobs`,
        );
      }
    } finally {
      await t.close();
    }
  });
});
