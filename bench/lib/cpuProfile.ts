// node -r ts-node/register/transpile-only bench/lib/cpuProfile.ts <file.cpuprofile> [--top N] [--match TEXT]
// Where a V8 CPU profile (node --cpu-prof) spends its time: self and total time by function, and self
// time by package or source folder. Total time counts a function once per sample however deep it recurses.
import { readFileSync } from 'node:fs';

type Frame = { functionName: string; url: string; lineNumber: number };
type Node = { id: number; callFrame: Frame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const where = (url: string): string => {
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1] as string;
  const source = /\/(src|dist|bench|test)\/(.*)$/.exec(url);
  if (source) return `${source[1]}/${(source[2] as string).replace(/\/[^/]*$/, '') || '.'}`;
  return url.startsWith('node:') ? 'node' : url === '' ? '(native)' : url;
};

const label = (frame: Frame): string => {
  const file = frame.url.replace(/^.*\/(node_modules|src|dist|bench|test)\//, '$1/').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
};

export const summarise = (profile: Profile, top = 40, match?: string): string => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const folders = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    all += ms;
    const node = byId.get(id) as Node;
    const name = label(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + ms);
    folders.set(where(node.callFrame.url), (folders.get(where(node.callFrame.url)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = label((byId.get(at) as Node).callFrame);
      if (seen.has(frame)) continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + ms);
    }
  });
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .filter(([name]) => !match || name.includes(match))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((ms / all) * 100).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return [
    `${all.toFixed(0)} ms sampled`,
    '\nself time by package or folder:',
    rows(folders),
    '\nself time by function:',
    rows(self),
    '\ntotal time by function (with callees):',
    rows(total),
  ].join('\n');
};

if (require.main === module) {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuProfile.ts <file.cpuprofile> [--top N] [--match TEXT]');
  const at = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  console.log(summarise(profile, Number(at('--top') ?? 40), at('--match')));
}
