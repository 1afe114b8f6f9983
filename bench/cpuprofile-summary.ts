// Summarises a V8 .cpuprofile (as written by `npm run bench -- --cpu-prof DIR`): where the busy time went, by
// function (self and inclusive) and by module (a package under node_modules, a source file of ours, or Node's
// internals). Idle time, garbage collection and "(program)" are reported apart.
//
//   node --import tsx bench/cpuprofile-summary.ts DIR/gatehouse/CPU.*.0.001.cpuprofile [--top N] [--match TEXT]
//                                                [--requests N]
//
// --match TEXT also lists the inclusive time of every function whose name or file contains TEXT.
// --requests N (the requests the server answered while profiled, e.g. from the status-code column with
// --warmup 0) adds a µs/request column, which compares two servers that answered different numbers.
// The profile covers the whole process, start-up included: per-request figures are exact only for functions
// that run per request (request handlers), not for module loading.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string' },
    match: { type: 'string', multiple: true },
    requests: { type: 'string' },
  },
});
const file = positionals[0];
if (!file) {
  console.error(
    'Usage: node --import tsx bench/cpuprofile-summary.ts FILE.cpuprofile [--top N] [--match TEXT]',
  );
  process.exit(2);
}
const top = Number(values.top ?? 25);
const requests = values.requests ? Number(values.requests) : undefined;
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;

const root = path.resolve(import.meta.dirname, '..');
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** `pkg` for node_modules/pkg (or @scope/pkg), a repo-relative path for our files, `node:…` for Node's. */
const moduleOf = (url: string) => {
  if (!url) return '(native)';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [first, second] = clean.slice(nm + 14).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? clean);
  }
  if (clean.startsWith(root)) return path.relative(root, clean);
  return clean.startsWith('node:') ? clean : `node:${clean}`;
};
const special = new Set(['(idle)', '(garbage collector)', '(program)', '(root)']);
const label = ({ functionName, url, lineNumber }: CallFrame) =>
  special.has(functionName)
    ? functionName
    : `${functionName || '(anonymous)'} ${moduleOf(url)}${url ? `:${lineNumber + 1}` : ''}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const modules = new Map<string, number>();
let total = 0;
let idle = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  const node = byId.get(id);
  if (!node) return;
  total += delta;
  const name = label(node.callFrame);
  if (node.callFrame.functionName === '(idle)') {
    idle += delta;
    return;
  }
  self.set(name, (self.get(name) ?? 0) + delta);
  const module = special.has(node.callFrame.functionName)
    ? node.callFrame.functionName
    : moduleOf(node.callFrame.url);
  modules.set(module, (modules.get(module) ?? 0) + delta);
  // Inclusive: each function on the stack once per sample, however often it recurses.
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
    const frame = byId.get(current)?.callFrame;
    if (!frame) break;
    const key = label(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
  }
});

const busy = total - idle;
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) =>
  `${((100 * us) / busy).toFixed(1).padStart(5)}%${requests ? `${(us / requests).toFixed(1).padStart(8)} µs/req` : ''}`;
const print = (title: string, map: Map<string, number>, count: number, filter = (_: string) => true) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...map]
    .filter(([name]) => filter(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count))
    console.log(`${ms(us)} ms ${pct(us)}  ${name}`);
};

console.log(
  `${file}: ${ms(total)} ms sampled, ${ms(idle)} ms idle, ${ms(busy)} ms busy (percentages of busy)`,
);
print('By module (self time)', modules, top);
print('By function (self time)', self, top);
print('By function (inclusive; (root) and (program) left out)', inclusive, top, (name) => !special.has(name));
for (const text of values.match ?? []) {
  print(`Inclusive, matching "${text}"`, inclusive, top, (name) => name.includes(text));
}
