import autocannon from 'autocannon';
import pg from 'pg';
import { loadMix, requestFor, startStack } from './support/mixed-stack.ts';
import { openLoop } from './support/open-loop.ts';
import { processCpuSeconds } from './support/process-cpu.ts';

/**
 * `DATABASE_URL=postgres://…/postgres [REDIS_URL=…] npm run bench:mixed -- [--seconds 15] [--connections 32] [--processes 1,2,3] [--rounds 3]`
 *
 * The product's traffic, not one route: a mix of the design's hot reads (inbox, profile,
 * notifications, templates, content, calendar, today's question) with 5% note sends, as 50 people
 * in 25 couples with real sign-ins, against 1, 2 and 3 `serve` processes (and one `worker`) on one
 * throwaway database. Side by side in each round: the naive peer, a bare Fastify + pg route
 * selecting the same 20 inbox rows. Prints req/s and p95/p99 per process count (medians of the
 * rounds), the ratio to the peer, the scaling factor against one process, and p95 at half of the
 * one-process maximum (open loop, the design's 200 ms target).
 */
const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const SECONDS = Number(option('seconds', '15'));
const CONNECTIONS = Number(option('connections', '32'));
const ROUNDS = Number(option('rounds', '3'));
const COUNTS = option('processes', '1,2,3').split(',').map(Number);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const stack = await startStack({ apiProcesses: Math.max(...COUNTS), peer: true });
  const { apis, people } = stack;
  const peerBase = stack.peerBase!;
  const recipients = people.map((p) => p.id);
  try {
    // Warm-up: every process's pools and caches.
    await Promise.all(apis.map((api, k) => loadMix(api.base, people, 4, 5, k * 1000)));

    const figures = new Map<string, { rate: number[]; p95: number[]; p99: number[]; non2xx: number[] }>();
    const record = (key: string, rate: number, p95: number, p99: number, non2xx: number) => {
      const entry = figures.get(key) ?? { rate: [], p95: [], p99: [], non2xx: [] };
      entry.rate.push(rate);
      entry.p95.push(p95);
      entry.p99.push(p99);
      entry.non2xx.push(non2xx);
      figures.set(key, entry);
    };
    const cpuBefore = apis.map((api) => processCpuSeconds(api.child.pid) ?? 0);
    let served = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let i = 0;
      const peerRun = await new Promise<autocannon.Result>((resolve, reject) =>
        autocannon(
          {
            url: peerBase,
            connections: CONNECTIONS,
            duration: SECONDS,
            requests: [
              {
                setupRequest: (r) => ({
                  ...r,
                  path: `/inbox?recipient=${recipients[i++ % recipients.length]}`,
                }),
              },
            ],
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        ),
      );
      record('peer', peerRun.requests.average, peerRun.latency.p97_5, peerRun.latency.p99, peerRun.non2xx);
      for (const count of COUNTS) {
        // The connections split over the processes, as a balancer in front of them would.
        const runs = await Promise.all(
          apis
            .slice(0, count)
            .map((api, k) =>
              loadMix(api.base, people, Math.ceil(CONNECTIONS / count), SECONDS, (round * 10 + k) * 100_000),
            ),
        );
        const rate = runs.reduce((sum, r) => sum + r.requests.average, 0);
        served += runs.reduce((sum, r) => sum + r.requests.total, 0);
        // p97.5 is autocannon's nearest point to p95; the worst process's tail stands for the whole.
        record(
          `${count}`,
          rate,
          Math.max(...runs.map((r) => r.latency.p97_5)),
          Math.max(...runs.map((r) => r.latency.p99)),
          runs.reduce((sum, r) => sum + r.non2xx, 0),
        );
      }
    }
    const cpu = apis.reduce(
      (sum, api, k) => sum + ((processCpuSeconds(api.child.pid) ?? 0) - cpuBefore[k]!),
      0,
    );

    const peerRate = median(figures.get('peer')!.rate);
    const oneRate = median(figures.get(`${COUNTS[0]}`)!.rate);
    console.log(`mixed workload, ${SECONDS} s × ${ROUNDS} rounds, ${CONNECTIONS} connections, medians:`);
    console.log(
      `  peer (Fastify + pg, 20-row inbox select): ${peerRate.toFixed(0)} req/s, p99 ${median(figures.get('peer')!.p99)} ms`,
    );
    for (const count of COUNTS) {
      const f = figures.get(`${count}`)!;
      const rate = median(f.rate);
      console.log(
        `  ${count} API process(es): ${rate.toFixed(0)} req/s, p97.5 ${median(f.p95)} ms, p99 ${median(f.p99)} ms, non2xx ${median(f.non2xx)}; ratio to peer ${(rate / peerRate).toFixed(2)}; scaling vs ${COUNTS[0]} process: ${(rate / oneRate).toFixed(2)}×`,
      );
    }
    console.log(`  API CPU per request (all processes): ${((cpu / served) * 1e6).toFixed(0)} µs`);

    // The max phase leaves the worker a backlog (its notes' pipeline); measured at half the rate
    // while it drains, the open loop would time the drain, not the steady state at that rate.
    const drainedIn = await waitForWorkerDrain(stack.databaseUrl);
    console.log(`  worker backlog after the max phase drained in ${drainedIn.toFixed(1)} s`);

    // The design's target: p95 under 200 ms at half of the maximum, one process, open loop.
    let j = 0;
    const half = await openLoop({
      origin: apis[0]!.base,
      path: '/',
      ratePerSecond: Math.max(1, Math.floor(oneRate / 2)),
      seconds: Math.max(SECONDS, 20),
      request: () => requestFor(people, 5_000_000 + j++),
    });
    console.log(
      `  at half of the 1-process maximum (${half.achievedRate} req/s, open loop): p50 ${half.p50} ms, p95 ${half.p95} ms, p99 ${half.p99} ms, non2xx ${half.non2xx}, errors ${half.errors}`,
    );
  } finally {
    await stack.stop();
  }
}

/** Seconds until nothing is queued for the worker (outbox, bus deliveries, jobs due), at most 120. */
async function waitForWorkerDrain(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = Date.now();
  try {
    for (let i = 0; i < 1200; i++) {
      const { rows } = await client.query<{ busy: boolean }>(`
        select exists (select 1 from outbox_events where relayed_at is null)
          or exists (select 1 from bus_deliveries where run_at <= now())
          or exists (select 1 from graphile_worker._private_jobs where run_at <= now() and locked_at is null)
          as busy`);
      if (!rows[0]!.busy) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
  return (Date.now() - started) / 1000;
}

await main();
