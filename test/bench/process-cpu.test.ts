import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { cpuMeter, processCpuSeconds } from '../../bench/support/process-cpu.ts';

/** Computes until this process has used `ms` more of CPU time (by Node's own count), however busy the machine is. */
function burnCpu(ms: number): number {
  const start = process.cpuUsage();
  for (;;) {
    for (let i = 0; i < 10_000; i++) Math.sqrt(Math.random());
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return (used.user + used.system) / 1e6;
  }
}

// /proc counts in clock ticks (10 ms), Node's cpuUsage in µs: allow a few ticks either way.
const TOLERANCE_SECONDS = 0.04;

test('reads the CPU time a process has used, as Node counts it', () => {
  const before = processCpuSeconds(process.pid);
  if (process.platform !== 'linux') {
    // No /proc: the benchmarks print '-' for CPU per request.
    assert.equal(before, undefined);
    return;
  }
  assert.ok(before !== undefined && before > 0);
  const used = burnCpu(300);
  const after = processCpuSeconds(process.pid);
  assert.ok(after !== undefined);
  assert.ok(
    Math.abs(after - before - used) <= TOLERANCE_SECONDS,
    `read ${after - before} s, Node counted ${used} s`,
  );
});

test('reads another process by its pid, and nothing once it is gone', async () => {
  const child = spawn(process.execPath, ['-e', 'const t = Date.now() + 600; while (Date.now() < t);']);
  const exited = once(child, 'exit');
  await once(child, 'spawn');
  await new Promise((resolve) => setTimeout(resolve, 400));
  const used = processCpuSeconds(child.pid);
  if (process.platform === 'linux') assert.ok(used !== undefined && used > 0, `read ${used}`);
  else assert.equal(used, undefined);
  await exited;
  assert.equal(processCpuSeconds(child.pid), undefined);
  assert.equal(processCpuSeconds(undefined), undefined);
});

test('a meter divides the CPU time used since it started by the requests served', () => {
  const meter = cpuMeter(process.pid);
  const used = burnCpu(300);
  const perRequest = meter.microsPer(10);
  if (process.platform !== 'linux') {
    assert.equal(perRequest, undefined);
    return;
  }
  assert.ok(perRequest !== undefined);
  const expected = (used * 1e6) / 10;
  assert.ok(
    Math.abs(perRequest - expected) <= (TOLERANCE_SECONDS * 1e6) / 10,
    `read ${perRequest} µs, expected ${expected}`,
  );
  assert.equal(cpuMeter(process.pid).microsPer(0), undefined);
});
