import * as hdr from 'hdr-histogram-js';
import { Pool } from 'undici';

/**
 * An open-loop load at a constant rate, for "latency at a given rate" figures.
 * Request i is due at start + i / rate whatever happened to earlier ones, and
 * its latency runs from that due time, not from when it was sent: a stall in
 * the server (or here) shows up as the waiting it causes, which is what a
 * client sees (no coordinated omission).
 *
 * Written here because autocannon's `overallRate` is not this: each
 * connection sends its whole second's quota at once and then waits for the
 * next second, so its "half rate" is bursts at full rate, and its correction
 * for omission assumes an interval of ceil(1 / rate) ms (1 ms for any rate
 * above 1/s per connection), which fills the tail with synthetic samples.
 */
export interface OpenLoopOptions {
  origin: string;
  path: string;
  ratePerSecond: number;
  seconds: number;
  /** Connections in the pool: enough that one slow response does not hold the others. */
  connections?: number;
  headers?: (i: number) => Record<string, string>;
  /** Request i in full, for a mix of routes (overrides `path` and `headers`). */
  request?: (i: number) => {
    method: 'GET' | 'POST';
    path: string;
    headers: Record<string, string>;
    body?: string;
  };
  /** Lists on stderr the requests answered later than this after their due time (diagnosis). */
  reportSlowerThanMs?: number;
}

export interface OpenLoopResult {
  sent: number;
  completed: number;
  non2xx: number;
  errors: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  /** Requests completed per second over the run. */
  achievedRate: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.origin, { connections: options.connections ?? 64, pipelining: 1 });
  // Microseconds, up to 60 s, 3 significant digits.
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const total = Math.round(options.ratePerSecond * options.seconds);
  const intervalNs = 1e9 / options.ratePerSecond;
  let sent = 0;
  let completed = 0;
  let non2xx = 0;
  let errors = 0;
  const inFlight = new Set<Promise<void>>();
  const start = process.hrtime.bigint();

  const slow: string[] = [];
  const slowNs =
    options.reportSlowerThanMs === undefined ? undefined : BigInt(options.reportSlowerThanMs) * 1_000_000n;
  const fire = (i: number, dueNs: bigint) => {
    const firedNs = process.hrtime.bigint();
    const request = pool
      .request(
        options.request?.(i) ?? { method: 'GET', path: options.path, headers: options.headers?.(i) ?? {} },
      )
      .then(async (response) => {
        await response.body.dump();
        if (response.statusCode < 200 || response.statusCode >= 300) non2xx++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => {
        completed++;
        const doneNs = process.hrtime.bigint();
        if (slowNs !== undefined && doneNs - dueNs > slowNs)
          slow.push(
            `#${i} due +${Number((dueNs - start) / 1_000_000n)} ms, fired ${Number((firedNs - dueNs) / 1_000_000n)} ms late, answered after ${Number((doneNs - firedNs) / 1_000_000n)} ms`,
          );
        histogram.recordValue(Math.max(1, Number((doneNs - dueNs) / 1000n)));
        inFlight.delete(request);
      });
    inFlight.add(request);
  };

  // Every millisecond, send everything that has fallen due. A tighter loop (setImmediate)
  // would spin a core the server needs; the up-to-1 ms lateness of a timer counts
  // against the server's latency here, never for it.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = Number(process.hrtime.bigint() - start);
      while (sent < total && sent * intervalNs <= elapsed) {
        fire(sent, start + BigInt(Math.round(sent * intervalNs)));
        sent++;
      }
      if (sent >= total) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  if (slow.length > 0)
    process.stderr.write(`${slow.length} slow requests:\n${slow.slice(0, 40).join('\n')}\n`);
  const ms = (us: number) => Math.round(us / 10) / 100;
  const result = {
    sent,
    completed,
    non2xx,
    errors,
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
    achievedRate: Math.round(completed / seconds),
  };
  histogram.destroy();
  return result;
}
