import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm start` runs this first (prestart): builds the web app into web/dist
 * when it is missing or older than its sources, so a fresh clone serves a
 * working app at / with no second command. `--force` always builds.
 */
const root = path.resolve(import.meta.dirname, '..');
const built = path.join(root, 'web', 'dist', 'index.html');
const SOURCES = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'packages/client/src'];

function newest(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(target, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

const force = process.argv.includes('--force');
const stale =
  force ||
  !existsSync(built) ||
  Math.max(...SOURCES.map((source) => newest(path.join(root, source)))) > statSync(built).mtimeMs;

if (!stale) {
  process.stdout.write('web app is up to date (web/dist)\n');
} else {
  process.stdout.write('building the web app (web/dist)…\n');
  // Always a production bundle: under `npm test` NODE_ENV is `test`, which would make Vite build
  // React's development bundle and leave out the service worker (registered only in production).
  const result = spawnSync('npm', ['run', 'build', '-w', 'web'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  process.exit(result.status ?? 1);
}
