import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { freePort, runCli, type Started, waitForOk } from '../support/process.ts';

/**
 * `npm start` with no DATABASE_URL, as a newcomer runs it: a real embedded
 * PostgreSQL, migrations, the API; then the crashes a laptop sees.
 */
describe('start on embedded PostgreSQL', () => {
  let dataDir: string;
  let apiPort: number;
  let pgPort: number;
  let env: Record<string, string>;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-start-'));
    apiPort = await freePort();
    pgPort = await freePort();
    env = {
      DATA_DIR: dataDir,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      EMBEDDED_POSTGRES_PORT: String(pgPort),
    };
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const pgdata = () => path.join(dataDir, 'postgres');
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${pgPort}/postgres` });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const start = async (extra: Record<string, string> = {}): Promise<Started> => {
    const started = runCli('start', { ...env, ...extra });
    await waitForOk(`http://127.0.0.1:${apiPort}/ready`, started);
    return started;
  };
  const postmasterPid = async () =>
    Number((await readFile(path.join(pgdata(), 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const isAlive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitUntilDead = async (pid: number) => {
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(isAlive(pid), false, `process ${pid} should have exited`);
  };

  it('starts, migrates and serves, then keeps committed data across a kill -9 of the app', async () => {
    const first = await start();
    // A first start says what it is doing, one line per step, in order.
    const steps = [
      /starting embedded PostgreSQL/,
      /initialising a new database cluster/,
      /embedded PostgreSQL listening/,
      /migrating the database/,
      /migrations applied/,
      new RegExp(`listening at http://127\\.0\\.0\\.1:${apiPort}`),
    ];
    const lines = first.output().split('\n');
    const at = steps.map((step) => lines.findIndex((line) => step.test(line)));
    assert.ok(
      at.every((index, i) => index >= 0 && (i === 0 || index > at[i - 1]!)),
      `steps in order ${JSON.stringify(at)}:\n${first.output()}`,
    );
    assert.ok(JSON.parse(lines[at[0]!]!).msg, 'JSON logs when not on a terminal');
    const migrated = await query('select name from schema_migrations order by name');
    assert.ok(migrated.length > 0, 'migrations ran');
    await query('create table survivor (id int primary key); insert into survivor values (1)');
    const orphan = await postmasterPid();

    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(isAlive(orphan), true, 'the database outlives a killed app');

    // LOG_FORMAT=pretty: what a developer's terminal gets by default (pino-pretty at runtime).
    const second = await start({ LOG_FORMAT: 'pretty' });
    assert.match(second.output(), /stopping orphaned PostgreSQL/);
    // pino-pretty formats in a worker thread: its line may trail the server's readiness.
    for (let i = 0; i < 50 && !/INFO.*: listening at http:/.test(second.output()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(second.output(), /INFO.*: listening at http:/);
    assert.doesNotMatch(second.output(), /^\{"level"/m, 'no JSON lines');
    assert.doesNotMatch(second.output(), /initialising a new database cluster/, 'only on the first start');
    assert.deepEqual(await query('select id from survivor'), [{ id: 1 }]);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    assert.equal(
      existsSync(path.join(pgdata(), 'postmaster.pid')),
      false,
      'SIGTERM stops PostgreSQL cleanly',
    );
  });

  it('recovers when the app and the database are killed together', async () => {
    const first = await start();
    await query('insert into survivor values (2)');
    const server = await postmasterPid();
    first.child.kill('SIGKILL');
    process.kill(server, 'SIGKILL');
    await first.exited;
    await waitUntilDead(server);
    assert.equal(existsSync(path.join(pgdata(), 'postmaster.pid')), true, 'a stale lock file is left behind');

    const second = await start();
    assert.deepEqual(await query('select id from survivor order by id'), [{ id: 1 }, { id: 2 }]);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });

  it('refuses to take over a database another live instance is using', async () => {
    const first = await start();
    const other = runCli('serve', { ...env, PORT: String(await freePort()) });
    assert.equal(await other.exited, 1);
    assert.match(other.output(), /in use by another running instance/);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
  });
});

describe('CLI configuration errors', () => {
  it('exits with one message naming each bad variable', async () => {
    const started = runCli('start', { PORT: 'eighty', LOG_LEVEL: 'shouty', NODE_ENV: 'production' });
    assert.equal(await started.exited, 78);
    const output = started.output();
    for (const name of ['PORT', 'LOG_LEVEL', 'ENCRYPTION_KEYS', 'JWT_SIGNING_KEYS'])
      assert.match(output, new RegExp(name));
    assert.doesNotMatch(output, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('rejects an unknown command', async () => {
    const started = runCli('frobnicate', {});
    assert.equal(await started.exited, 2);
    assert.match(started.output(), /Unknown command "frobnicate"/);
  });
});
