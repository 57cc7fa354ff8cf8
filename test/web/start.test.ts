import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort } from '../support/process.ts';
import { ensureWebBuilt } from '../support/web.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let database: TestDatabase | undefined;
let dataDir: string | undefined;
let stop: (() => Promise<void>) | undefined;

after(async () => {
  await stop?.();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('`npm start` builds the web app when needed and serves it with the API from one process', {
  timeout: 240_000,
}, async () => {
  // Parallel test files build under one lock; prestart then finds web/dist up to date.
  await ensureWebBuilt();
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-npm-start-'));
  const port = await freePort();
  const clean = { ...process.env };
  for (const name of ['NODE_ENV', 'CI', 'REDIS_URL', 'NATS_URL']) delete clean[name];
  // Its own process group, so stopping it stops npm and the node process it runs.
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env: {
      ...clean,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  stop = async () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 200_000;
  let page: Response | undefined;
  while (Date.now() < deadline && child.exitCode === null) {
    page = await fetch(`${base}/`, { headers: { accept: 'text/html' } }).catch(() => undefined);
    if (page?.ok) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.equal(page?.status, 200, `no page at ${base}/:\n${output}`);
  const html = await page!.text();
  assert.match(html, /<title>One 2 One Love<\/title>/);
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'the page loads the built, hashed script');
  assert.equal((await fetch(`${base}${script}`)).status, 200);
  // The same process answers the API.
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 200);
  const document = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { openapi: string };
  assert.match(document.openapi, /^3\./);
});
