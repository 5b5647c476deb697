import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cpus, release, totalmem } from 'node:os';

export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run. */
  baseline: string;
  baselineValue: number;
  ratio: number;
  /** The ratio the issue asks for at least, when it sets one. */
  minimumRatio?: number;
  /** The ratio the issue allows at most (a time beside its baseline), when it sets one. */
  maximumRatio?: number;
  /** The value the issue allows at most (times), when it sets one. */
  maximumValue?: number;
  /** The value the issue asks for at least (rates), when it sets one. */
  minimumValue?: number;
};

export const machine = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  os: `${process.platform} ${release()}`,
});

const round = (value: number): number => (Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000);

export const result = (r: Omit<BenchResult, 'ratio'>): BenchResult => ({
  ...r,
  value: round(r.value),
  baselineValue: round(r.baselineValue),
  ratio: Math.round((r.value / r.baselineValue) * 1000) / 1000,
});

const meets = (r: BenchResult): boolean =>
  (r.minimumRatio === undefined || r.ratio >= r.minimumRatio) &&
  (r.maximumRatio === undefined || r.ratio <= r.maximumRatio) &&
  (r.maximumValue === undefined || r.value <= r.maximumValue) &&
  (r.minimumValue === undefined || r.value >= r.minimumValue);

const targetText = (r: BenchResult): string => {
  const targets = [
    ...(r.minimumRatio === undefined ? [] : [`min ratio ${r.minimumRatio}`]),
    ...(r.maximumRatio === undefined ? [] : [`max ratio ${r.maximumRatio}`]),
    ...(r.maximumValue === undefined ? [] : [`max ${r.maximumValue} ${r.unit}`]),
    ...(r.minimumValue === undefined ? [] : [`min ${r.minimumValue.toLocaleString('en-US')} ${r.unit}`]),
  ];
  return targets.length === 0 ? '' : `${meets(r) ? 'ok' : 'MISSED'} (${targets.join(', ')})`;
};

/** Prints a table (or, with --json, one JSON object); exits 1 when a target is missed. */
export const report = (title: string, results: BenchResult[]): void => {
  const failed = results.filter((r) => !meets(r));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ machine: machine(), results }));
  } else {
    const m = machine();
    console.log(`\n${title}\nmachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.os}\n`);
    const rows = results.map((r) => [
      r.name,
      `${r.value.toLocaleString('en-US')} ${r.unit}`,
      `${r.baseline}: ${r.baselineValue.toLocaleString('en-US')} ${r.unit}`,
      r.ratio.toFixed(3),
      targetText(r),
    ]);
    const header = ['measure', 'value', 'baseline (same run)', 'ratio', 'target'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
    for (const row of rows) console.log(line(row));
  }
  if (failed.length > 0) {
    console.error(`\nbelow target: ${failed.map((f) => f.name).join('; ')}`);
    process.exitCode = 1;
  }
};

/** Seconds since `start` (from process.hrtime.bigint()). */
export const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** The best of `runs` measurements: the least disturbed by the rest of the machine. */
export const best = async (runs: number, measure: () => Promise<number> | number): Promise<number> => {
  let top = 0;
  for (let i = 0; i < runs; i += 1) top = Math.max(top, await measure());
  return top;
};

/**
 * A measure and its baseline taken in turns, `runs` times each, keeping the best of each: a slow
 * spell of the machine (a VM's disk, the other core) then weighs on both sides alike.
 */
export const paired = async (
  runs: number,
  measure: () => Promise<number> | number,
  baseline: () => Promise<number> | number,
): Promise<{ value: number; baselineValue: number }> => {
  let value = 0;
  let baselineValue = 0;
  for (let i = 0; i < runs; i += 1) {
    baselineValue = Math.max(baselineValue, await baseline());
    value = Math.max(value, await measure());
  }
  return { value, baselineValue };
};

export const argNumber = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/** The middle of the values (the mean of the two middle ones when their count is even). */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

let collect: (() => void) | undefined;
/**
 * A full garbage collection, so that a phase starts from a settled heap and does not pay for the
 * garbage of the one before it (V8's gc, exposed on first use).
 */
export const settleHeap = (): void => {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
};
