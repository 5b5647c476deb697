// npm run bench:start [-- --json] [-- --runs N]
// Time from spawn to the first /health 200, and the resident memory then, of the compiled start
// (`node dist/main/main.js`, what `npm start` and the image run) beside the ts-node start the project
// had before, in the same run. Each start gets a fresh DATA_DIR (first start: SQLite files and an API
// key made) and a free port; the two kinds alternate, and which goes first alternates too. The CPU
// time used until then is shown as well: on a shared machine it moves far less than the wall time.
// Targets: compiled <= 1.5 s and compiled / ts-node <= 0.4.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../test/support/backboneProcess';
import { makeTempDir } from '../test/support/tmp';
import { argNumber, median, report, result, secondsSince } from './lib/report';

const ROOT = resolve(__dirname, '..');
const RUNS = argNumber('runs', 5);
const quiet = process.argv.includes('--json');
const say = (text: string) => !quiet && process.stderr.write(text);

const STARTS = {
  compiled: ['dist/main/main.js'],
  'ts-node': ['-r', 'ts-node/register/transpile-only', 'src/main/main.ts'],
} as const;
type Kind = keyof typeof STARTS;
type Sample = { seconds: number; rssMB: number; cpuSeconds: number };

/** Resident set of a live process, in MB (Linux /proc). */
const rssMB = (pid: number): number => {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line[1]) / 1024;
};

/** CPU time a live process has used, all its threads: what a start costs, whatever else the machine runs. */
const cpuSeconds = (pid: number): number =>
  readdirSync(`/proc/${pid}/task`)
    .map((task) => Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]))
    .reduce((sum, ns) => sum + ns, 0) / 1e9;

const healthy = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false; // not listening yet
  }
};

const measure = async (kind: Kind): Promise<Sample> => {
  const temp = makeTempDir('mes-start-bench-');
  const port = await freePort();
  let stderr = '';
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, STARTS[kind], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: temp.dir, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    const deadline = Date.now() + 60_000;
    // polled every 5 ms: the resolution of the figure, small beside a start of a second or more
    while (!(await healthy(`http://127.0.0.1:${port}/health`))) {
      if (child.exitCode !== null) throw new Error(`${kind} start exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`${kind} start did not answer /health in 60 s: ${stderr}`);
      await sleep(5);
    }
    const seconds = secondsSince(started);
    const pid = child.pid as number;
    return { seconds, rssMB: rssMB(pid), cpuSeconds: cpuSeconds(pid) };
  } finally {
    child.kill('SIGTERM');
    await exited;
    temp.remove();
  }
};

const main = async (): Promise<void> => {
  // what npm start does before running dist: build it when missing or older than the sources
  const build = spawnSync(process.execPath, ['scripts/buildIfStale.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const samples: Record<Kind, Sample[]> = { compiled: [], 'ts-node': [] };
  for (let run = 0; run < RUNS; run += 1) {
    const order: Kind[] = run % 2 === 0 ? ['compiled', 'ts-node'] : ['ts-node', 'compiled'];
    for (const kind of order) samples[kind].push(await measure(kind));
    const shown = (kind: Kind) => {
      const last = samples[kind].at(-1) as Sample;
      return `${kind} ${last.seconds.toFixed(3)} s (${last.cpuSeconds.toFixed(3)} s CPU) ${last.rssMB.toFixed(0)} MB`;
    };
    say(`run ${run + 1} of ${RUNS}: ${shown('compiled')} | ${shown('ts-node')}\n`);
  }
  const seconds = (kind: Kind) => samples[kind].map((s) => s.seconds);
  const spread = (kind: Kind) =>
    result({
      name: `${kind} start, slowest of ${RUNS}`,
      value: Math.max(...seconds(kind)),
      unit: 's',
      baseline: `fastest of ${RUNS}`,
      baselineValue: Math.min(...seconds(kind)),
    });
  report(`Start: spawn to first /health 200, medians of ${RUNS} interleaved starts, fresh DATA_DIR each`, [
    result({
      name: 'compiled start (node dist/main/main.js)',
      value: median(seconds('compiled')),
      unit: 's',
      baseline: 'ts-node start (transpile-only)',
      baselineValue: median(seconds('ts-node')),
      maximumValue: 1.5,
      maximumRatio: 0.4,
    }),
    result({
      name: 'RSS at first /health 200, compiled',
      value: median(samples.compiled.map((s) => s.rssMB)),
      unit: 'MB',
      baseline: 'ts-node start',
      baselineValue: median(samples['ts-node'].map((s) => s.rssMB)),
    }),
    result({
      name: 'CPU time to first /health 200, compiled',
      value: median(samples.compiled.map((s) => s.cpuSeconds)),
      unit: 's',
      baseline: 'ts-node start',
      baselineValue: median(samples['ts-node'].map((s) => s.cpuSeconds)),
    }),
    spread('compiled'),
    spread('ts-node'),
  ]);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
