// npm run bench:api [-- --json] [-- --events N] [-- --seconds S] [-- --cpu-prof DIR] [-- --only commands|queries] [-- --per-route] [-- --dashboard]
// Commands/s and queries/s with p50/p99 over HTTP against a started process whose store holds a
// generated plant of 1,000,000 events, each beside a baseline process started the same way and loaded
// with the same autocannon settings in the same run: bare express 5 doing the same store work without
// the backbone (bench/baselineServer.cjs: a durable append of an event row; a document get). Both run
// as production runs them: the backbone compiled (`npm run build:server` first, as `npm start` does),
// the baseline as plain JavaScript; neither carries ts-node, whose REPL loads Node's domain module (and
// with it a slower EventEmitter emit in every request).
// Targets (issue 19): commands >= 0.5 of the baseline's rate with p99 <= 2x its p99; queries >= 0.7
// with p99 <= 2x. With --cpu-prof DIR the backbone writes a V8 CPU profile of each measured phase
// there (bench/lib/cpuProfileHook.cjs), summarised by bench/lib/cpuProfile.ts.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { client, makeKeys } from '../test/support/apiClient';
import { COMPILED, freePort, startBackboneProcess } from '../test/support/backboneProcess';
import { makeTempDir } from '../test/support/tmp';
import {
  buildServer,
  commandSource,
  load,
  preparePlant,
  projectionsCaughtUp,
  querySource,
  seedRunningOperations,
  storeCommits,
  type Request,
  type Run,
} from './lib/apiLoad';
import { argNumber, report, result } from './lib/report';

const EVENTS = argNumber('events', 1_000_000);
const SECONDS = argNumber('seconds', 10);
const quiet = process.argv.includes('--json');
const profileAt = process.argv.indexOf('--cpu-prof');
const PROFILE_DIR = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
// --only commands | --only queries: one phase (to profile it alone)
const onlyAt = process.argv.indexOf('--only');
const PHASES = onlyAt >= 0 ? [process.argv[onlyAt + 1]] : ['commands', 'queries'];
// --per-route: before the query phase, each query route alone with its CPU per answer
const PER_ROUTE = process.argv.includes('--per-route');
// --dashboard: before the query phase, 20 plant dashboards (50 machines) asked one after the other
const DASHBOARD = process.argv.includes('--dashboard');
const say = (text: string) => !quiet && process.stderr.write(text);

/** A measured phase: the server's CPU time per 2xx answer, in ms, beside the load's figures. */
type Measured = Run & { cpuMs?: number };

/** The baseline (bench/baselineServer.cjs), started as the backbone is: plain node, a port of its own. */
const startBaseline = async (env: Record<string, string>) => {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(__dirname, 'baselineServer.cjs')], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await new Promise<void>((listening, failed) => {
    void exited.then((code) => failed(new Error(`the baseline exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => line === 'listening' && listening());
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
};

/** CPU time a process has used (user and system), in ms: from /proc, so the load's own CPU is left out. */
const cpuMsOf = (pid: number): number => {
  // the fields after the command's parenthesis: state is the 3rd field, utime and stime the 14th and 15th
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

const main = async (): Promise<void> => {
  const temp = makeTempDir('mes-bench-api-');
  say(`generating a plant of ${EVENTS.toLocaleString('en-US')} events and its read models...\n`);
  const { total, orders, wip } = await preparePlant(temp.dir, EVENTS);
  buildServer(say);

  const keys = makeKeys(temp.dir);
  const backbone = await startBackboneProcess(
    {
      DATA_DIR: temp.dir,
      API_KEYS_FILE: keys.file,
      LOG_LEVEL: 'warn',
      // the overdue clock's first tick folds every machine and maintenance event of the generated history
      // (15% of the backbone's CPU in a measured phase when it fell there, 60 s after the start): ticking
      // every 5 s, it has caught up before the idle check below, and each later tick reads what is new
      OVERDUE_CHECK_SECONDS: '5',
      ...(PROFILE_DIR
        ? { NODE_OPTIONS: `-r ${resolve(__dirname, 'lib/cpuProfileHook.cjs')}`, CPU_PROFILE_DIR: PROFILE_DIR }
        : {}),
    },
    // a started process reads what it needs of a million events first: minutes on a busy machine
    600_000,
    COMPILED,
  );
  const baseline = await startBaseline({
    EVENTS_DB: join(temp.dir, 'baseline-events.db'),
    DOCS_DB: join(temp.dir, 'readmodels.db'),
    DOCS_TABLE: `c_${wip}__orders`,
  });
  const api = client(backbone.baseUrl, keys.tokens);
  say('seeding running operations...\n');
  await seedRunningOperations(api);
  const command = commandSource();
  const query = querySource(orders);
  // the baseline appends each command's body to a stream named after its path; it reads an order's document
  const baselineCommand = (connection: number): Request => {
    const next = command(connection);
    return { ...next, path: `/append/${encodeURIComponent(next.path.slice('/api/'.length))}` };
  };
  let q = 0;
  const baselineQuery = (): Request => {
    q += 1;
    return { method: 'GET', path: `/doc/GO-${(q * 7919) % orders}` };
  };
  // each phase starts with an unmeasured warm-up: a cold process compiles its routes first
  // with --cpu-prof, the backbone is profiled over each of its measured phases (SIGUSR2 starts and stops)
  const profiled = (url: string) => PROFILE_DIR !== undefined && url === backbone.baseUrl;
  const measure = async (name: string, url: string, build: Parameters<typeof load>[2]): Promise<Measured> => {
    say(`${name} (warm-up, then measured)...\n`);
    await load(url, keys.tokens.all, build, 3);
    const pid = (url === backbone.baseUrl ? backbone.child.pid : baseline.pid) as number;
    if (profiled(url)) backbone.child.kill('SIGUSR2');
    const commitsBefore = url === backbone.baseUrl ? await storeCommits(url) : undefined;
    const cpuBefore = cpuMsOf(pid);
    const run = await load(url, keys.tokens.all, build, SECONDS);
    const cpuMs = (cpuMsOf(pid) - cpuBefore) / (run.rate * SECONDS);
    if (profiled(url)) backbone.child.kill('SIGUSR2');
    if (commitsBefore) {
      // how much the group commit grouped (the backbone's appends include its process managers')
      const after = await storeCommits(url);
      const [appends, commits] = [after.appends - commitsBefore.appends, after.commits - commitsBefore.commits];
      if (commits > 0)
        say(`  ${appends} appends in ${commits} commits of the store: ${(appends / commits).toFixed(1)} per commit\n`);
    }
    return { ...run, cpuMs };
  };
  const skipped: Measured = { rate: Number.NaN, p50: Number.NaN, p99: Number.NaN, errors: 0, non2xx: 0, outOfOrder: 0 };
  const phase = async (name: string, url: string, build: Parameters<typeof load>[2]): Promise<Measured> =>
    PHASES.some((p) => name.endsWith(p as string)) ? measure(name, url, build) : skipped;
  // a backbone busy with its own work (a process manager replaying the generated history) is not measured:
  // it is given up to 30 s to settle after the seeding, in windows of 2 s
  let idleCpu = 1;
  for (let window = 0; window < 15 && idleCpu > 0.1; window += 1) {
    const from = cpuMsOf(backbone.child.pid as number);
    await new Promise((r) => setTimeout(r, 2000));
    idleCpu = (cpuMsOf(backbone.child.pid as number) - from) / 2000;
  }
  say(`backbone CPU while no request runs: ${Math.round(idleCpu * 100)}% of a core\n`);
  if (idleCpu > 0.1) {
    console.error(
      'the backbone keeps working without requests (a process manager replaying the plant?): the run does not count',
    );
    process.exitCode = 1;
  }
  const baseCommands = await phase('baseline commands', baseline.baseUrl, baselineCommand);
  const commands = await phase('commands', backbone.baseUrl, command);
  // queries are measured over caught-up read models, not while projections apply the commands above
  await projectionsCaughtUp(api);
  if (DASHBOARD) {
    // what a manager's phone waits for on the server: the plant's dashboard, one request at a time
    const times: number[] = [];
    const cpu = cpuMsOf(backbone.child.pid as number);
    for (let i = 0; i < 20; i += 1) {
      const started = process.hrtime.bigint();
      const answer = await api.get('/api/dashboard?scope=plant&period=day', 'analyst');
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (answer.status !== 200)
        throw new Error(`the dashboard answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    }
    const cpuEach = (cpuMsOf(backbone.child.pid as number) - cpu) / times.length;
    const sorted = [...times].sort((a, b) => a - b);
    say(
      `  /api/dashboard (plant, day), 20 in a row: first ${times[0]?.toFixed(1)} ms, median ${sorted[10]?.toFixed(1)} ms, ` +
        `max ${sorted[19]?.toFixed(1)} ms, ${cpuEach.toFixed(2)} ms CPU each\n`,
    );
  }
  if (PER_ROUTE) {
    // each query route alone, 2 s of the same load: its rate and the backbone's CPU per answer, and that
    // beyond /health's (the request itself: HTTP, headers, logging), measured last; the mix warms up first
    await load(backbone.baseUrl, keys.tokens.all, query, 2);
    const routes = [...Array.from({ length: 8 }, () => query().path), '/health'];
    const perRoute: Array<[string, number, number]> = [];
    for (const path of routes) {
      const cpu = cpuMsOf(backbone.child.pid as number);
      const run = await load(backbone.baseUrl, keys.tokens.all, () => ({ method: 'GET', path }), 2);
      perRoute.push([path, run.rate, (cpuMsOf(backbone.child.pid as number) - cpu) / (run.rate * 2)]);
    }
    const bare = perRoute[perRoute.length - 1]?.[2] ?? 0;
    for (const [path, rate, perAnswer] of perRoute)
      say(
        `  ${path}: ${Math.round(rate)} answers/s, ${perAnswer.toFixed(3)} ms CPU each` +
          `${path === '/health' ? '' : ` (${(perAnswer - bare).toFixed(3)} beyond /health)`}\n`,
      );
  }
  const baseQueries = await phase('baseline queries', baseline.baseUrl, baselineQuery);
  const queries = await phase('queries', backbone.baseUrl, query);
  await backbone.stop();
  await baseline.stop();
  say(`${commands.outOfOrder} command(s) refused as out of order (409, as designed), not counted\n`);
  const runs = { commands, queries, 'baseline commands': baseCommands, 'baseline queries': baseQueries };
  const failures = Object.values(runs).reduce((sum, run) => sum + run.errors + run.non2xx, 0);
  if (failures > 0) {
    console.error(
      `answers not 2xx or errors: ${Object.entries(runs)
        .map(([name, run]) => `${name} ${run.non2xx} + ${run.errors}`)
        .join(', ')}: the run does not count`,
    );
    process.exitCode = 1;
  }
  const base = 'bare express 5 + raw SQLite';
  // a phase's four rows beside its baseline's: rate, p50, p99, server CPU per answer
  const phaseRows = (
    kind: { one: string; rate: string; work: string; op: string; minimumRatio: number },
    run: Measured,
    baseRun: Measured,
  ) => [
    result({
      name: kind.rate,
      value: run.rate,
      unit: 'req/s',
      baseline: `${base} ${kind.work}`,
      baselineValue: baseRun.rate,
      minimumRatio: kind.minimumRatio,
    }),
    result({
      name: `${kind.one} latency p50`,
      value: run.p50,
      unit: 'ms',
      baseline: `${base} ${kind.op} p50`,
      baselineValue: baseRun.p50,
    }),
    result({
      name: `${kind.one} latency p99`,
      value: run.p99,
      unit: 'ms',
      baseline: `${base} ${kind.op} p99`,
      baselineValue: baseRun.p99,
      maximumRatio: 2,
    }),
    result({
      name: `server CPU per ${kind.one}`,
      value: run.cpuMs ?? Number.NaN,
      unit: 'ms',
      baseline: `${base} CPU per ${kind.op}`,
      baselineValue: baseRun.cpuMs ?? Number.NaN,
    }),
  ];
  const rows = [
    ...phaseRows(
      {
        one: 'command',
        rate: 'commands/s (energy, reports, state changes, new orders)',
        work: 'durable append',
        op: 'append',
        minimumRatio: 0.5,
      },
      commands,
      baseCommands,
    ),
    ...phaseRows(
      {
        one: 'query',
        rate: 'queries/s (WIP, carbon, dispatch, OEE, Pareto, genealogy)',
        work: 'document get',
        op: 'get',
        minimumRatio: 0.7,
      },
      queries,
      baseQueries,
    ),
  ];
  report(
    `API benchmark over ${total.toLocaleString('en-US')} events (32 connections, ${SECONDS} s each)`,
    rows.filter((row) => !Number.isNaN(row.value)),
  );
  temp.remove();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
