import { type ChildProcess, fork } from 'node:child_process';
import { Agent, setGlobalDispatcher } from 'undici';
import { offlineReply } from '../src/modules/ai-coach/offline-coach.ts';
import { classify } from '../src/modules/ai-coach/safety.ts';
import { startFakeProviders } from '../test/modules/ai-coach-fake-providers.ts';
import { createTestApp } from '../test/support/app.ts';
import { as, newUserId, testAuth } from '../test/support/test-auth.ts';

/**
 * `DATABASE_URL=postgres://… node --import tsx bench/ai-coach.ts [requests=300] [streams=2000]`
 *
 * 1. Time to the first streamed text: through our API (SSE, the openai SDK
 *    relaying the fake provider) vs straight from the fake provider, requests
 *    alternated in one run; p50/p99 of both and the overhead.
 * 2. Concurrent open streams in one API process, held open by a slow fake
 *    provider: how many opened, and the process's memory per stream.
 * 3. Offline coach replies (and safety classifications) per second on one core.
 *
 * The API is a separate process (the real app on a throwaway database with
 * the test-only sign-in); the fake provider and the clients run here.
 */
interface Info {
  port: number;
  users: { user: string; conversation: string }[];
}

async function server(openaiURL: string, users: number): Promise<void> {
  const t = await createTestApp(
    {
      LOG_LEVEL: 'silent',
      DATABASE_POOL_MAX: '20',
      OPENAI_BASE_URL: openaiURL,
      OPENAI_MODEL: 'bench-model',
      COACH_MAX_RETRIES: '0',
      COACH_TIMEOUT_MS: '120000',
      COACH_FREE_DAILY_MESSAGES: '1000000',
      COACH_FREE_DAILY_TOKENS: '1000000000',
      MAX_CONCURRENT_REQUESTS: '0',
    },
    { routes: testAuth },
  );
  const list: Info['users'] = [];
  for (let i = 0; i < users; i++) {
    const user = newUserId();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/coach/conversations',
      headers: as(user),
      payload: {},
    });
    list.push({ user, conversation: res.json().data.conversation.id });
  }
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ info: { port: (t.app.server.address() as { port: number }).port, users: list } });
  process.on('message', (message: { memory?: boolean; stop?: boolean }) => {
    if (message.memory) {
      globalThis.gc?.();
      process.send?.({ memory: process.memoryUsage() });
    }
    if (message.stop) void t.close().then(() => process.exit(0));
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

/** Reads a response body until `marker` appears; returns the elapsed time, then cancels the rest. */
async function timeTo(marker: string, start: number, res: Response, keep = false): Promise<number> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${marker}: ${seen.slice(0, 200)}`);
    seen += decoder.decode(value, { stream: true });
    if (seen.includes(marker)) {
      const elapsed = performance.now() - start;
      if (!keep) await reader.cancel();
      return elapsed;
    }
  }
}

async function main() {
  const requests = Number(process.argv[2] ?? 300);
  const streams = Number(process.argv[3] ?? 2000);
  setGlobalDispatcher(
    new Agent({
      connections: null,
      pipelining: 0,
      connectTimeout: 60_000,
      bodyTimeout: 0,
      headersTimeout: 0,
    }),
  );
  const fake = await startFakeProviders({ record: false });
  const child: ChildProcess = fork(
    import.meta.filename,
    ['server', fake.openaiURL, String(Math.min(streams, 500))],
    {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const ask = <T>(message: object, key: string) =>
    new Promise<T>((resolve) => {
      const listener = (m: Record<string, unknown>) => {
        if (key in m) {
          child.off('message', listener);
          resolve(m[key] as T);
        }
      };
      child.on('message', listener);
      if (Object.keys(message).length > 0) child.send(message);
    });
  const info = await ask<Info>({}, 'info');
  const api = `http://127.0.0.1:${info.port}`;

  // 1. Time to first text.
  const direct: number[] = [];
  const through: number[] = [];
  const send = (u: Info['users'][number]) =>
    fetch(`${api}/v1/coach/conversations/${u.conversation}/messages`, {
      method: 'POST',
      headers: { ...as(u.user), accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'We argue about chores every evening, what can we do?' }),
    });
  for (let i = 0; i < requests + 20; i++) {
    let start = performance.now();
    const d = await timeTo(
      '"content"',
      start,
      await fetch(`${fake.openaiURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'bench-model',
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      }),
    );
    start = performance.now();
    const a = await timeTo('event: delta', start, await send(info.users[i % info.users.length]!));
    // The first 20 warm up both paths.
    if (i >= 20) {
      direct.push(d);
      through.push(a);
    }
  }
  const p50d = percentile(direct, 50);
  const p50a = percentile(through, 50);
  console.log(`time to first text, ${requests} requests each, alternated:`);
  console.log(`  fake provider directly : p50 ${ms(p50d)}  p99 ${ms(percentile(direct, 99))}`);
  console.log(`  through the API (SSE)  : p50 ${ms(p50a)}  p99 ${ms(percentile(through, 99))}`);
  console.log(`  overhead p50 ${ms(p50a - p50d)}`);

  // 2. Concurrent open streams: the provider sends a word every 10 s, so each stays open.
  fake.setDefault({ chunks: Array.from({ length: 100 }, (_, i) => `w${i} `), delayMs: 10_000 });
  const before = await ask<NodeJS.MemoryUsage>({ memory: true }, 'memory');
  const controllers: AbortController[] = [];
  let opened = 0;
  let failed = 0;
  const startedAt = performance.now();
  for (let batch = 0; batch < streams; batch += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, streams - batch) }, async (_, j) => {
        const u = info.users[(batch + j) % info.users.length]!;
        const controller = new AbortController();
        controllers.push(controller);
        try {
          const res = await fetch(`${api}/v1/coach/conversations/${u.conversation}/messages`, {
            method: 'POST',
            headers: { ...as(u.user), accept: 'text/event-stream', 'content-type': 'application/json' },
            body: JSON.stringify({ content: 'Tell me something long.' }),
            signal: controller.signal,
          });
          await timeTo('event: delta', 0, res, true);
          opened++;
        } catch {
          failed++;
        }
      }),
    );
  }
  const openSeconds = (performance.now() - startedAt) / 1000;
  const during = await ask<NodeJS.MemoryUsage>({ memory: true }, 'memory');
  const perStream = (key: 'rss' | 'heapUsed') => (during[key] - before[key]) / Math.max(1, opened) / 1024;
  console.log(`concurrent open streams: ${opened} open (${failed} failed) after ${openSeconds.toFixed(1)} s`);
  console.log(
    `  API process: RSS ${(before.rss / 2 ** 20).toFixed(0)} → ${(during.rss / 2 ** 20).toFixed(0)} MiB, ` +
      `${perStream('rss').toFixed(1)} KiB RSS and ${perStream('heapUsed').toFixed(1)} KiB heap per stream`,
  );
  for (const c of controllers) c.abort();

  // 3. The offline coach and the safety screen, on this process's one core.
  const samples = [
    'We argue about chores every evening.',
    'My partner is jealous of my coworker.',
    'We never have time together anymore.',
    'Ich fühle mich einsam in unserer Beziehung.',
  ];
  for (const [name, fn] of [
    ['offline coach replies', (s: string) => offlineReply(s)],
    ['safety classifications', (s: string) => classify(s)],
  ] as const) {
    let n = 0;
    const until = performance.now() + 2000;
    while (performance.now() < until) fn(samples[n++ % samples.length]!);
    console.log(`${name}: ${Math.round(n / 2).toLocaleString('en')} per second on one core`);
  }

  child.send({ stop: true });
  await new Promise((resolve) => child.once('exit', resolve));
  await fake.close();
}

if (process.argv[2] === 'server') {
  await server(process.argv[3]!, Number(process.argv[4]));
} else {
  await main();
}
