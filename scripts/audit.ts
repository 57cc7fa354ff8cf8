import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { judgeAudit, parseExceptions } from './audit-report.ts';

/**
 * `npm run audit` (CI): `npm audit --omit=dev` over the production
 * dependencies; fails on a high or critical advisory unless
 * audit-exceptions.json lists it with a reason and an end date. When the
 * advisory service cannot be reached (offline, or a registry mirror without
 * the audit endpoint) it says so and passes, unless AUDIT_REQUIRED=true.
 */
const exceptions = parseExceptions(
  await readFile(new URL('../audit-exceptions.json', import.meta.url), 'utf8'),
);
const npm = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const verdict = judgeAudit(npm.stdout, exceptions, new Date().toISOString().slice(0, 10));
const say = (line: string) => process.stdout.write(`${line}\n`);

if (!verdict.available) {
  say(`audit: NOT RUN: the advisory service gave no report (${verdict.problem})`);
  process.exit(process.env.AUDIT_REQUIRED === 'true' ? 1 : 0);
}
say(`audit: production dependencies: ${JSON.stringify(verdict.counts)}`);
for (const a of verdict.excepted) say(`audit: excepted ${a.severity} ${a.id} in ${a.package}: ${a.reason}`);
for (const e of verdict.expired) say(`audit: exception for ${e.id} in ${e.package} expired on ${e.until}`);
for (const e of verdict.unused)
  say(`audit: exception for ${e.id} in ${e.package} matches nothing: remove it`);
for (const a of verdict.blocking)
  say(`audit: ${a.severity.toUpperCase()} ${a.id} in ${a.package}: ${a.title} ${a.url}`);
if (verdict.blocking.length > 0) {
  say(
    `audit: ${verdict.blocking.length} high/critical advisories: upgrade (npm audit fix --omit=dev, or an override), or list each in audit-exceptions.json with a reason and an end date`,
  );
  process.exit(1);
}
say('audit: no unexcepted high or critical advisories');
