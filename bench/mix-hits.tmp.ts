import { loadMix, startStack } from './support/mixed-stack.ts';
import { processCpuSeconds } from './support/process-cpu.ts';
const stack = await startStack({ apiProcesses: 1, peer: false });
const api = stack.apis[0]!;
try {
  await loadMix(api.base, stack.people, 4, 5, 0);
  const scrape = async () => (await (await fetch(`${api.base}/metrics`)).text()).split('\n').filter((l) => /^response_cache_(hits|misses)_total/.test(l));
  const before = await scrape();
  const cpu0 = processCpuSeconds(api.child.pid) ?? 0;
  const run = await loadMix(api.base, stack.people, 32, 10, 1_000_000);
  const cpu = (processCpuSeconds(api.child.pid) ?? 0) - cpu0;
  console.log('req/s', run.requests.average, 'cpu µs/req', ((cpu / run.requests.total) * 1e6).toFixed(0));
  console.log(before.join('\n')); console.log('---'); console.log((await scrape()).join('\n'));
} finally { await stack.stop(); }
