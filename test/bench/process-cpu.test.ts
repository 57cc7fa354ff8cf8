import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { processCpuSeconds } from '../../bench/support/process-cpu.ts';

function burn(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) Math.sqrt(Math.random());
}

test('reads the CPU time a process has used, and it grows while the process computes', () => {
  const before = processCpuSeconds(process.pid);
  if (process.platform !== 'linux') {
    // No /proc: the benchmarks print '-' for CPU per request.
    assert.equal(before, undefined);
    return;
  }
  assert.ok(before !== undefined && before > 0);
  burn(300);
  const after = processCpuSeconds(process.pid);
  assert.ok(after !== undefined);
  // 300 ms of computing; clock ticks are 10 ms, and the scheduler may take some of it away.
  assert.ok(after - before >= 0.1, `grew by ${after - before} s`);
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
