import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createTestApp } from '../test/support/app.ts';
import { as, newUserId, testAuth } from '../test/support/test-auth.ts';

/**
 * `DATABASE_URL=... node --import tsx bench/users-search.ts [profiles=100000] [queries=300]`
 * Seeds N profiles (half discoverable) into a throwaway database, then times
 * GET /v1/users/search through the real app (inject, one at a time) and
 * prints the query plan, so a lost index shows up as a sequential scan.
 */
const profiles = Number(process.argv[2] ?? 100_000);
const queries = Number(process.argv[3] ?? 300);

const SYLLABLES = [
  'an',
  'bel',
  'car',
  'dan',
  'el',
  'fi',
  'gio',
  'ha',
  'is',
  'jo',
  'ka',
  'li',
  'ma',
  'no',
  'ra',
  'sa',
  'te',
  'vi',
];
const word = (seed: number, n: number) =>
  Array.from(
    { length: n },
    (_, i) => SYLLABLES[(seed * 7 + i * 13 + (seed >> (i + 1))) % SYLLABLES.length],
  ).join('');

const t = await createTestApp({ LOG_LEVEL: 'silent' }, { routes: testAuth });
try {
  const db = t.platform.database.db;
  const started = performance.now();
  await sql`insert into users_profiles (user_id, handle, display_name, discoverable)
    select gen_random_uuid(), 'h' || g || '_' || md5(g::text), 'Name ' || md5((g * 7)::text), g % 2 = 0
    from generate_series(1, ${profiles}) g`.execute(db);
  // Readable names for the queries below.
  const batch = Array.from({ length: 2000 }, (_, i) => ({
    user_id: newUserId(),
    handle: `${word(i, 3)}_${i}`,
    display_name: `${word(i + 1, 2)} ${word(i + 2, 3)}`,
    discoverable: true,
  }));
  await db.insertInto('users_profiles').values(batch).execute();
  // Steady state: autovacuum would have merged the GIN pending lists by now.
  await sql`vacuum analyze users_profiles`.execute(db);
  console.log(
    `seeded ${profiles + batch.length} profiles in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const caller = newUserId();
  const times: number[] = [];
  const slowest: Array<[number, string]> = [];
  let results = 0;
  for (let i = 0; i < queries; i++) {
    const q = i % 2 === 0 ? word(i, 2) : `${word(i, 3).slice(0, 5)}x`;
    const begin = performance.now();
    const res = await t.app.inject({ url: `/v1/users/search?q=${q}&limit=20`, headers: as(caller) });
    times.push(performance.now() - begin);
    slowest.push([performance.now() - begin, q]);
    if (res.statusCode !== 200) throw new Error(res.body);
    results += res.json().data.length;
  }
  times.sort((a, b) => a - b);
  console.log(
    'slowest:',
    slowest
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5)
      .map(([ms, q]) => `${q} ${ms.toFixed(0)} ms`)
      .join(', '),
  );
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
  console.log(
    `${queries} searches: p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms, ${(results / queries).toFixed(1)} results each`,
  );

  const plan = await sql<{ 'QUERY PLAN': string }>`explain select user_id from users_profiles
    where discoverable and status = 'active'
      and (lower(handle) like 'belcar%' or lower(display_name) like 'belcar%'
        or lower(handle) % 'belcar' or lower(display_name) % 'belcar')`.execute(db);
  console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
} finally {
  await t.close();
}
