import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrations } from '../../src/migrations.ts';
import { createDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrator.ts';
import { migrateJobs } from '../../src/platform/jobs/migrate.ts';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple, type Pair } from '../support/love-notes.ts';
import { freePort } from '../support/process.ts';
import { as, eventually, testAuth } from '../support/test-auth.ts';

/**
 * The disaster-recovery drill (design: RTO < 1 h, RPO < 5 min), on a
 * PostgreSQL 15 of its own: continuous WAL archiving, a base backup, love
 * notes sent through the real app before and after a restore point, the
 * primary killed, and a point-in-time restore of the backup to that restore
 * point with the scripts of scripts/dr/ that docs/runbooks.md gives.
 */
const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/dr');
const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, every server-side command runs as `postgres`. */
async function asPostgres(command: string, args: string[]): Promise<string> {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const { stdout } = await run(file, argv, { env: { ...process.env, LC_ALL: 'C', PG_BIN: BIN } });
  return stdout;
}

const urlOf = (port: number, database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function one<T extends pg.QueryResultRow>(url: string, text: string): Promise<T> {
  const [row] = await query<T>(url, text);
  if (!row) throw new Error(`no row from: ${text}`);
  return row;
}

describe('disaster recovery: point-in-time restore from a base backup and the WAL archive', () => {
  let dir: string;
  const running: string[] = [];
  const dirs = { primary: '', archive: '', backup: '', restored: '' };

  let primaryPort: number;
  let t: TestApp | undefined;

  const start = async (dataDir: string, port: number) => {
    await asPostgres(`${BIN}/pg_ctl`, [
      'start',
      '-D',
      dataDir,
      '-w',
      '-t',
      '120',
      '-l',
      `${dataDir}.log`,
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
    ]);
    running.push(dataDir);
  };
  const stop = async (dataDir: string, mode: 'fast' | 'immediate') => {
    await asPostgres(`${BIN}/pg_ctl`, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
    running.splice(running.indexOf(dataDir), 1);
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-dr-'));
    for (const name of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[name] = path.join(dir, name);
    if (isRoot) {
      const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
      await chown(dir, await id('-u'), await id('-g'));
    }
    await asPostgres(`${BIN}/initdb`, [
      '-D',
      dirs.primary,
      '--auth=trust',
      '--username=postgres',
      '--locale=C',
    ]);
    await asPostgres(path.join(SCRIPTS, 'enable-archiving.sh'), [dirs.primary, dirs.archive, '5']);
    primaryPort = await freePort();
    await start(dirs.primary, primaryPort);
    await query(urlOf(primaryPort), 'create database app');
    const { db, close } = createDatabase({ url: urlOf(primaryPort, 'app'), poolMax: 1 });
    try {
      await migrateToLatest(db, migrations);
    } finally {
      await close();
    }
    await migrateJobs(urlOf(primaryPort, 'app'));
  });

  after(async () => {
    await t?.close();
    for (const dataDir of [...running].reverse()) await stop(dataDir, 'immediate').catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('restores the notes sent before the restore point and none sent after it', async (ctx) => {
    const appDb = { name: 'app', url: urlOf(primaryPort, 'app'), drop: async () => {} };
    // The restored database is only useful with the same key ring: both apps get it, as production would.
    const env = { ENCRYPTION_KEYS: generateKeySpec('drill') };
    const app = await createTestApp(env, { routes: testAuth, database: appDb });
    t = app;
    const send = async (pair: Pair, body: string): Promise<string> => {
      const res = await app.app.inject({
        method: 'POST',
        url: '/v1/love-notes',
        headers: as(pair.a),
        payload: { body },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().data.id;
    };

    const pair = await makeCouple(app);
    // Half of the "before" notes are written before the base backup, half after it (replayed from the archive).
    const before1 = [await send(pair, 'before the backup 1'), await send(pair, 'before the backup 2')];
    await asPostgres(path.join(SCRIPTS, 'base-backup.sh'), [urlOf(primaryPort), dirs.backup]);
    const before2 = [await send(pair, 'after the backup 1'), await send(pair, 'after the backup 2')];
    await query(urlOf(primaryPort), "select pg_create_restore_point('drill')");
    const { now: targetTime } = await one<{ now: string }>(
      urlOf(primaryPort),
      'select clock_timestamp()::text as now',
    );
    const afterTarget = [await send(pair, 'after the target 1'), await send(pair, 'after the target 2')];

    // Close the segment holding all of it and wait until the archive has it.
    const { segment } = await one<{ segment: string }>(
      urlOf(primaryPort),
      'select pg_walfile_name(pg_switch_wal()) as segment',
    );
    await eventually(
      async () => ((await readdir(dirs.archive)).includes(segment) ? true : undefined),
      30_000,
    );
    await app.close();
    t = undefined;
    // The disaster: the primary is gone without a clean shutdown.
    await stop(dirs.primary, 'immediate');

    // Restore twice: to the named restore point, and to the time taken right after it.
    for (const [target, value] of [
      ['--name', 'drill'],
      ['--time', targetTime],
    ] as const) {
      const restoredDir = `${dirs.restored}${target}`;
      const began = Date.now();
      await asPostgres(path.join(SCRIPTS, 'restore-pitr.sh'), [
        dirs.backup,
        dirs.archive,
        restoredDir,
        target,
        value,
      ]);
      const restoredPort = await freePort();
      await start(restoredDir, restoredPort);
      await eventually(async () => {
        const [row] = await query<{ recovering: boolean }>(
          urlOf(restoredPort),
          'select pg_is_in_recovery() as recovering',
        ).catch(() => [{ recovering: true }]);
        return row?.recovering === false ? true : undefined;
      }, 60_000);
      ctx.diagnostic(
        `restore ${target} ${value}: prepared, replayed and promoted in ${((Date.now() - began) / 1000).toFixed(1)} s`,
      );

      const notes = await query<{ id: string }>(
        urlOf(restoredPort, 'app'),
        'select id::text from love_notes_notes where couple_id = $1',
        [pair.coupleId],
      );
      const restored = new Set(notes.map((n) => n.id));
      for (const id of [...before1, ...before2])
        assert.ok(restored.has(id), `${target}: note ${id} from before the target is lost`);
      for (const id of afterTarget)
        assert.ok(!restored.has(id), `${target}: note ${id} from after the target came back`);
      assert.equal(restored.size, 4);

      // The restored server is a writable primary with the schema at the latest migration.
      const { count } = await one<{ count: number }>(
        urlOf(restoredPort, 'app'),
        'select count(*)::int as count from schema_migrations',
      );
      assert.equal(count, Object.keys(migrations).length);
      await query(urlOf(restoredPort), 'create table drill_write_check (id int)');
      if (target === '--name') {
        // The app runs on the restored database: the partner's inbox decrypts the restored notes.
        const restoredApp = await createTestApp(env, {
          routes: testAuth,
          database: { name: 'app', url: urlOf(restoredPort, 'app'), drop: async () => {} },
        });
        t = restoredApp;
        const inbox = await restoredApp.app.inject({
          method: 'GET',
          url: '/v1/love-notes?box=inbox&limit=50',
          headers: as(pair.b),
        });
        assert.equal(inbox.statusCode, 200, inbox.body);
        assert.deepEqual(
          inbox
            .json()
            .data.map((note: { body: string }) => note.body)
            .sort(),
          ['after the backup 1', 'after the backup 2', 'before the backup 1', 'before the backup 2'],
        );
        await restoredApp.close();
        t = undefined;
      }
      await stop(restoredDir, 'fast');
    }
  });
});
