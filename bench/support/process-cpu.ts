import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, in seconds) a process has used so far, from
 * Linux's /proc/<pid>/stat; undefined where there is no /proc.
 *
 * Why the benchmarks read it: on a 2-core machine the load generator and the
 * server compete for the CPU, so a server's req/s also measures how much CPU
 * the load generator left it, which moves by a third between identical runs
 * here. The server's own CPU time per request does not depend on that, and
 * its ratio between two servers is the throughput ratio each would reach on
 * a core of its own.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || TICKS_PER_SECOND === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return undefined;
  return (userTicks + systemTicks) / TICKS_PER_SECOND;
}

/**
 * Starts reading a process's CPU time; `microsPer(requests)` is what it used
 * since then per request, in µs (undefined where /proc does not tell).
 */
export function cpuMeter(pid: number | undefined): { microsPer(requests: number): number | undefined } {
  const start = processCpuSeconds(pid);
  return {
    microsPer(requests) {
      const end = processCpuSeconds(pid);
      if (start === undefined || end === undefined || requests === 0) return undefined;
      return ((end - start) * 1e6) / requests;
    },
  };
}

const TICKS_PER_SECOND = ticksPerSecond();

function ticksPerSecond(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(answer.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : undefined;
}
