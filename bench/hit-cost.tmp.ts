import autocannon from 'autocannon';
import { startStack } from './support/mixed-stack.ts';
import { processCpuSeconds } from './support/process-cpu.ts';
const stack = await startStack({ apiProcesses: 1, peer: false });
const api = stack.apis[0]!;
const token = stack.people[0]!.token;
const run = (path: string, auth: boolean) => new Promise<autocannon.Result>((res, rej) => autocannon({ url: api.base + path, connections: 16, duration: 5, headers: auth ? { authorization: `Bearer ${token}` } : {} }, (e, r) => e ? rej(e) : res(r)));
try {
  for (const [path, auth] of [['/health', false], ['/v1/users/me', true], ['/v1/love-notes?box=inbox&limit=20', true], ['/v1/content?limit=20', true], ['/health', false], ['/v1/users/me', true], ['/v1/love-notes?box=inbox&limit=20', true]] as const) {
    await run(path, auth);
    const c0 = processCpuSeconds(api.child.pid) ?? 0;
    const r = await run(path, auth);
    const cpu = (processCpuSeconds(api.child.pid) ?? 0) - c0;
    console.log(path.padEnd(40), String(Math.round(r.requests.average)).padStart(7), 'req/s', ((cpu / r.requests.total) * 1e6).toFixed(1), 'µs/req', 'bytes/req', Math.round(r.throughput.total / r.requests.total), 'non2xx', r.non2xx);
  }
} finally { await stack.stop(); }
