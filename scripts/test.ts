import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.ts';

/**
 * `npm test`: runs every *.test.ts with node's test runner against real
 * servers. DATABASE_URL/REDIS_URL/NATS_URL point at them; without
 * DATABASE_URL a throwaway embedded PostgreSQL is started, so a laptop with
 * nothing installed still runs the database suites.
 */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

async function main(): Promise<number> {
  const selected = process.argv.slice(2);
  const files = selected.length > 0 ? selected : [...testFiles('src'), ...testFiles('test')];
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  let stopDatabase = async () => {};

  if (!env.DATABASE_URL) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-test-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 55432 });
    env.DATABASE_URL = embedded.url;
    stopDatabase = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
    process.stdout.write(`# PostgreSQL: embedded at ${embedded.url} (DATABASE_URL unset)\n`);
  } else {
    process.stdout.write(`# PostgreSQL: ${new URL(env.DATABASE_URL).host}\n`);
  }
  for (const [name, variable] of [
    ['Redis', 'REDIS_URL'],
    ['NATS', 'NATS_URL'],
  ] as const) {
    const where = env[variable]
      ? new URL(env[variable]).host
      : `not configured (${variable} unset): its suites are skipped`;
    process.stdout.write(`# ${name}: ${where}\n`);
  }

  // Test files mostly wait on the database, so run more of them than there are cores.
  const concurrency = String(Math.max(4, os.availableParallelism() * 2));
  const child = spawn(
    process.execPath,
    // A hung test fails after 15 minutes instead of holding CI until its own limit. The runner applies
    // the same limit to each file as a whole (a file is one test of the parent run): at 5 minutes a
    // slower machine cut off the last test of a browser suite (reported "cancelled"), whose files take
    // up to 4 minutes there and 2.5 here.
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=900000', ...files],
    {
      env,
      stdio: 'inherit',
    },
  );
  const code = await new Promise<number>((resolve) => child.on('exit', (status) => resolve(status ?? 1)));
  await stopDatabase();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`test runner failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
