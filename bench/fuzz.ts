import { performance } from 'node:perf_hooks';
import type { Document } from '../test/support/fuzz/openapi.ts';
import { Fuzzer } from '../test/support/fuzz/runner.ts';
import { fuzzEnvironment } from '../test/support/fuzz/setup.ts';

/**
 * `npm run bench:fuzz` (DATABASE_URL, REDIS_URL and NATS_URL as for the tests):
 * the schema-driven fuzzer of test/hardening/fuzz.test.ts with 100,000
 * requests (FUZZ_RUNS overrides, FUZZ_SEED reproduces), through app.inject on
 * a throwaway database. Prints the coverage, the statuses, the rate and every
 * failure; exits 1 if there is one.
 */
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const out = (line: string) => process.stdout.write(`${line}\n`);

out(`FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`);
const env = await fuzzEnvironment();
let failed = false;
try {
  const document = (await env.world.anon({ url: '/v1/openapi.json' })).json() as Document;
  await env.stopWorkers();
  const started = performance.now();
  const report = await new Fuzzer(env.world, document, { seed, runs, log: out }).run();
  const seconds = (performance.now() - started) / 1000;
  out(
    `${report.sent} requests (${report.invalidSent} invalid) in ${seconds.toFixed(0)} s: ${(report.sent / seconds).toFixed(0)} req/s`,
  );
  out(`coverage: ${report.reached.size}/${report.operations.length} operations answered at least one 2xx`);
  out(`statuses: ${JSON.stringify(Object.fromEntries([...report.statuses].sort((a, b) => a[0] - b[0])))}`);
  for (const op of report.operations) if (!report.reached.has(op.key)) out(`no 2xx: ${op.key}`);
  for (const failure of report.failures) out(`FAIL ${failure}`);
  failed = report.failures.length > 0;
} finally {
  await env.close();
}
process.exit(failed ? 1 : 0);
