import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import sharp from 'sharp';
import { contentContext } from '../src/modules/content/context.ts';
import { IMAGE_VARIANTS, imageVariant, uploadMedia, type VariantName } from '../src/modules/content/media.ts';
import { findMediaByHash } from '../src/modules/content/repo.ts';
import { searchItems } from '../src/modules/content/search.ts';
import { newId } from '../src/platform/ids.ts';
import { createTestApp } from '../test/support/app.ts';
import { as, newUserId, testAuth } from '../test/support/test-auth.ts';

/**
 * `DATABASE_URL=postgres://… node --import tsx bench/content.ts [seconds=5] [connections=10]`
 *
 * 1. GET /v1/content/{slug} req/s and p99: anonymous (not cached: one indexed
 *    row of stored HTML), signed in (cached per user: gateway hits), and the
 *    public list (cached), each as a ratio to a bare Fastify route in the same run.
 * 2. Search p50/p99 over 10,000 seeded items (plus the starter library), the
 *    module's query through the real pool, 300 distinct queries.
 * 3. Variant generation time per image (2400×1600 JPEG): each named variant in
 *    WebP and AVIF, first request (made and stored).
 *
 * The server runs in its own process so load generation does not share its event loop.
 */
const [secondsArg, connectionsArg] = process.argv[2] === 'server' ? [] : process.argv.slice(2);
const SECONDS = Number(secondsArg ?? 5);
const CONNECTIONS = Number(connectionsArg ?? 10);
const ITEMS = 10_000;
const WORDS = (
  'love listen talk trust repair gratitude kiss partner distance visit money home family friend ' +
  'morning evening weekend dinner walk laugh argue apologise forgive hug promise plan dream hope ' +
  'worry stress calm gentle honest habit ritual letter song travel garden coffee phone message'
).split(' ');
// A vocabulary of ~3,000 words (the English ones above and made-up ones), so a
// word occurs in a few percent of the items, as in a real library, not in all.
const SYLLABLES = 'ba ce di fo gu ha je ki lo mu na pe ri so tu va we xi yo zu'.split(' ');
const VOCABULARY = [
  ...WORDS,
  ...Array.from(
    { length: 3000 },
    (_, i) => SYLLABLES[i % 20]! + SYLLABLES[Math.floor(i / 20) % 20]! + SYLLABLES[Math.floor(i / 400) % 20]!,
  ),
];
let state = 42;
const random = () => {
  state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
  return state / 2_147_483_648;
};
const text = (_seed: number, n: number) =>
  Array.from({ length: n }, () => VOCABULARY[Math.floor(random() ** 2 * VOCABULARY.length)]).join(' ');

interface Info {
  port: number;
  slug: string;
  search: { p50: number; p99: number; max: number; results: number };
  variants: Array<{ variant: string; ms: number; bytes: number }>;
}

async function server(): Promise<void> {
  const t = await createTestApp({ LOG_LEVEL: 'silent', DATABASE_POOL_MAX: '20' }, { routes: testAuth });
  const db = t.platform.database.db;
  for (let start = 0; start < ITEMS; start += 1000) {
    const rows = Array.from({ length: 1000 }, (_, k) => {
      const i = start + k;
      const body = `${text(i, 250)}.`;
      return {
        id: newId(),
        type: 'article',
        slug: `bench-item-${i}`,
        title: `${text(i + 1, 4)} ${i}`,
        excerpt: text(i + 2, 16),
        body,
        body_html: `<p>${body}</p>`,
        body_text: body,
        preview_html: `<p>${body.slice(0, 200)}</p>`,
        primary_tag: WORDS[i % WORDS.length]!,
        tags: [WORDS[i % WORDS.length]!],
        minutes: 2,
        visibility: ['public', 'members', 'premium'][i % 3]!,
        status: 'published',
        published_at: new Date(Date.now() - i * 60_000),
      };
    });
    await db
      .insertInto('content_items' as never)
      .values(rows as never)
      .execute();
  }
  await sql`vacuum analyze content_items`.execute(db);

  const ctx = contentContext(t.platform);
  const times: number[] = [];
  let results = 0;
  for (let i = 0; i < 300; i++) {
    const q =
      i % 3 === 0
        ? `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`
        : `${WORDS[i % WORDS.length]}x`;
    const begin = performance.now();
    results += (await searchItems(ctx, { q, access: 'anonymous', offset: 0, limit: 21 })).length;
    times.push(performance.now() - begin);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) =>
    Number(times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1));

  const photo = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: '#b8325a' } })
    .composite([
      {
        input: Buffer.from(
          '<svg width="2400" height="1600"><circle cx="1200" cy="800" r="600" fill="#fbe3ea"/></svg>',
        ),
      },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();
  const media = await uploadMedia(ctx, newUserId(), photo);
  const row = (await findMediaByHash(ctx.db, media.url.split('/').pop()!.split('.')[0]!))!;
  const variants: Info['variants'] = [];
  for (const name of Object.keys(IMAGE_VARIANTS) as VariantName[]) {
    for (const format of ['webp', 'avif'] as const) {
      const begin = performance.now();
      const body = await imageVariant(ctx, row, name, format);
      variants.push({
        variant: `${name}.${format}`,
        ms: Math.round(performance.now() - begin),
        bytes: body!.length,
      });
    }
  }

  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const info: Info = {
    port: Number(new URL(address).port),
    slug: 'the-ten-minute-check-in',
    search: { p50: pct(0.5), p99: pct(0.99), max: pct(1), results: Math.round(results / 300) },
    variants,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.on('SIGTERM', () => void t.close().then(() => process.exit(0)));
}

function child(args: string[]): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    proc.stdout!.on('data', (chunk) => {
      buffer += String(chunk);
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve({ proc, line: buffer.slice(0, newline) });
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function load(url: string, headers: Record<string, string> = {}) {
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 });
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  return { reqPerSec: Math.round(result.requests.average), p99: result.latency.p99, non2xx: result.non2xx };
}

async function main(): Promise<void> {
  const bare = await child([path.join(import.meta.dirname, 'bare-server.ts'), '0']);
  const app = await child([import.meta.filename, 'server']);
  try {
    const info = JSON.parse(app.line) as Info;
    const base = `http://127.0.0.1:${info.port}`;
    const rows: Array<[string, Awaited<ReturnType<typeof load>>]> = [
      ['bare Fastify GET /bare', await load(`${bare.line.trim()}/bare`)],
      ['GET /v1/content/{slug} anonymous (uncached)', await load(`${base}/v1/content/${info.slug}`)],
      [
        'GET /v1/content/{slug} signed in (cached per user)',
        await load(`${base}/v1/content/${info.slug}`, as(newUserId())),
      ],
      ['GET /v1/content?limit=20 (cached, public)', await load(`${base}/v1/content?limit=20`)],
    ];
    const yardstick = rows[0]![1].reqPerSec;
    console.log(`${SECONDS} s × ${CONNECTIONS} connections`);
    for (const [name, r] of rows) {
      console.log(
        `${name.padEnd(52)} ${String(r.reqPerSec).padStart(7)} req/s  ${(r.reqPerSec / yardstick).toFixed(2)}× bare  p99 ${r.p99} ms  non-2xx ${r.non2xx}`,
      );
    }
    console.log(
      `search over ${ITEMS} items + starter: p50 ${info.search.p50} ms, p99 ${info.search.p99} ms, max ${info.search.max} ms, ${info.search.results} results each`,
    );
    for (const v of info.variants)
      console.log(`variant ${v.variant.padEnd(12)} ${String(v.ms).padStart(5)} ms  ${v.bytes} bytes`);
  } finally {
    bare.proc.kill('SIGTERM');
    app.proc.kill('SIGTERM');
  }
}

if (process.argv[2] === 'server') await server();
else await main();
