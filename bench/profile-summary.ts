import { readFileSync } from 'node:fs';

/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [--busiest S | --last S] [--top N] [--inclusive REGEX]`
 *
 * Where a `--cpu-prof` profile's time goes, as text: self time by function
 * and by file (a package under node_modules counts as one file), and the
 * inclusive time of the functions whose name matches `--inclusive` (their
 * callees included, each sample counted once). `--busiest S` keeps only the
 * S seconds with the most busy samples: run one phase of a bench (e.g.
 * `BENCH_PHASES=send` in bench/love-notes.ts) and this cuts the set-up and
 * the shutdown away; `--last S` keeps the last S seconds before the last busy
 * sample. Idle samples are left out of every share.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [--last seconds] [--top N] [--inclusive regex]');
  process.exit(2);
}
const last = option('--last') === undefined ? undefined : Number(option('--last')) * 1e6;
// --from S --to S: an explicit window, in seconds from the profile's start (see --timeline).
const fromArg = option('--from') === undefined ? undefined : Number(option('--from')) * 1e6;
const toArg = option('--to') === undefined ? undefined : Number(option('--to')) * 1e6;
const busiest = option('--busiest') === undefined ? undefined : Number(option('--busiest')) * 1e6;
const top = Number(option('--top') ?? 40);
const inclusive = option('--inclusive') ? new RegExp(option('--inclusive') as string) : undefined;

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const IDLE = new Set(['(idle)', '(program)']);
const isIdle = (id: number) => IDLE.has(byId.get(id)?.callFrame.functionName ?? '');

// Sample times (µs from the profile's start); each sample weighs the delta to the next one.
const times: number[] = [];
let t = 0;
for (const delta of profile.timeDeltas) {
  t += delta;
  times.push(t);
}
const weight = (i: number) => (i + 1 < times.length ? (times[i + 1] as number) - (times[i] as number) : 0);
let end = times.length - 1;
while (end > 0 && isIdle(profile.samples[end] as number)) end--;
let from = last === undefined ? 0 : (times[end] as number) - last;
if (fromArg !== undefined) from = fromArg;
if (toArg !== undefined) {
  while (end > 0 && (times[end] as number) > toArg) end--;
}
if (busiest !== undefined) {
  // Two pointers over the samples: the window [times[i] - busiest, times[i]] with the most busy time.
  let best = -1;
  let sum = 0;
  let start = 0;
  for (let i = 0; i < times.length; i++) {
    if (!isIdle(profile.samples[i] as number)) sum += weight(i);
    while ((times[start] as number) < (times[i] as number) - busiest) {
      if (!isIdle(profile.samples[start] as number)) sum -= weight(start);
      start++;
    }
    if (sum > best) {
      best = sum;
      end = i;
      from = times[start] as number;
    }
  }
}

const shortUrl = (url: string) => {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const src = url.indexOf('/src/');
  if (src !== -1) return url.slice(src + 1);
  const bench = url.indexOf('/bench/');
  if (bench !== -1) return url.slice(bench + 1);
  const test = url.indexOf('/test/');
  if (test !== -1) return url.slice(test + 1);
  return url === '' ? '(native)' : url;
};
const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
};

const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusiveBy = new Map<string, number>();
let busy = 0;
let idle = 0;
for (let i = 0; i <= end; i++) {
  if ((times[i] as number) < from) continue;
  const id = profile.samples[i] as number;
  const w = weight(i);
  if (isIdle(id)) {
    idle += w;
    continue;
  }
  busy += w;
  const node = byId.get(id) as ProfileNode;
  const fn = label(node);
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + w);
  const fileName = shortUrl(node.callFrame.url);
  selfByFile.set(fileName, (selfByFile.get(fileName) ?? 0) + w);
  if (inclusive) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at) as ProfileNode;
      if (!inclusive.test(frame.callFrame.functionName)) continue;
      const name = label(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusiveBy.set(name, (inclusiveBy.get(name) ?? 0) + w);
    }
  }
}

if (args.includes('--timeline')) {
  // Busy share per half second of the whole profile: where the phases start and end.
  const buckets: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const b = Math.floor((times[i] as number) / 5e5);
    buckets[b] = (buckets[b] ?? 0) + (isIdle(profile.samples[i] as number) ? 0 : weight(i));
  }
  console.log(
    `busy % per 0.5 s: ${Array.from(buckets, (us, b) => `${(b / 2).toFixed(1)}s:${(((us ?? 0) / 5e5) * 100).toFixed(0)}`).join(' ')}`,
  );
}
const print = (title: string, values: Map<string, number>, count: number) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...values].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(
      `${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
  }
};
console.log(
  `${file}: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle in the window (${((times[end] as number) - Math.max(from, 0)) / 1e6} s)`,
);
print('self time by function', selfByFunction, top);
print('self time by file or package', selfByFile, top);
if (inclusive) print(`inclusive time of functions matching ${inclusive}`, inclusiveBy, top);
