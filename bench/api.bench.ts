// npm run bench:api [-- --json] [-- --events N] [-- --seconds S] [-- --cpu-prof DIR] [-- --only commands|queries] [-- --per-route]
// Commands/s and queries/s with p50/p99 over HTTP against a started process whose store holds a
// generated plant of 1,000,000 events, each beside a baseline process started the same way and loaded
// with the same autocannon settings in the same run: bare express 5 doing the same store work without
// the backbone (bench/baselineServer.ts: a durable append of an event row; a document get).
// Targets (issue 19): commands >= 0.5 of the baseline's rate with p99 <= 2x its p99; queries >= 0.7
// with p99 <= 2x. With --cpu-prof DIR the backbone writes a V8 CPU profile of each measured phase
// there (bench/lib/cpuProfileHook.cjs), summarised by bench/lib/cpuProfile.ts.
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../src/adapters/readstore/sqliteReadStore';
import { createSqliteCheckpointStore } from '../src/adapters/checkpoints/sqliteCheckpointStore';
import { createLogger } from '../src/lib/logger';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { upcasters } from '../src/domain/upcasters';
import { createProjections } from '../src/projections';
import { rebuildReadModels } from '../src/projections/manager';
import { client, makeKeys } from '../test/support/apiClient';
import { freePort, startBackboneProcess } from '../test/support/backboneProcess';
import { TEST_PLANT } from '../test/support/readStoreDump';
import { makeTempDir } from '../test/support/tmp';
import { generatePlant } from './lib/plantGenerator';
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
const say = (text: string) => !quiet && process.stderr.write(text);
const MACHINES = 50;
const RUNNING = 64;

let connections = 0;
let shown = 0;
let outOfOrder = 0;

type Run = {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  outOfOrder: number;
  /** The server's CPU time per 2xx answer, in ms (when measured). */
  cpuMs?: number;
};

const load = (
  url: string,
  token: string,
  build: (connection: number) => { method: 'GET' | 'POST'; path: string; body?: unknown },
  seconds = SECONDS,
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: 32,
        duration: seconds,
        headers: { authorization: `Bearer ${token}` },
        requests: [
          {
            onResponse: (status: number, body: string) => {
              // autocannon builds a connection's first requests ahead, so a machine's first readings can
              // arrive out of order; the domain refuses those as designed, and they are counted apart
              if (status === 409 && /"rule":"(interval-overlap|state-out-of-order)"/.test(body)) outOfOrder += 1;
              else if (status >= 300 && shown < 5) {
                shown += 1;
                console.error(`answer ${status}: ${body.slice(0, 300)}`);
              }
            },
            setupRequest: (request: AutocannonRequest, context: object) => {
              // autocannon keeps a context per connection: it gets a number once
              const lane = context as { connection?: number };
              lane.connection ??= connections += 1;
              const next = build(lane.connection);
              // headers set here replace the defaults: each request names all of its own
              const headers: Record<string, string> = {
                authorization: `Bearer ${token}`,
                ...(next.body === undefined ? {} : { 'content-type': 'application/json' }),
              };
              return {
                ...request,
                method: next.method,
                path: next.path,
                headers,
                ...(next.body === undefined ? {} : { body: JSON.stringify(next.body) }),
              };
            },
          },
        ],
      },
      (error, outcome) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        // only 2xx answers count: a fast stream of refusals is not throughput (nor are timeouts, which
        // requests.total leaves out: subtracting them counted less than nothing)
        const ok = outcome['2xx'];
        const refusedAsDesigned = outOfOrder;
        outOfOrder = 0;
        resolve({
          rate: ok / outcome.duration,
          p50: outcome.latency.p50,
          p99: outcome.latency.p99,
          errors: outcome.errors,
          non2xx: outcome.non2xx - refusedAsDesigned,
          outOfOrder: refusedAsDesigned,
        });
      },
    );
    void instance;
  });

/** The baseline (bench/baselineServer.ts), started as the backbone is: node with ts-node, a port of its own. */
const startBaseline = async (env: Record<string, string>) => {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', resolve(__dirname, 'baselineServer.ts')],
    {
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
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
  const store = createSqliteEventStore({
    path: join(temp.dir, 'events.db'),
    codec: createEventCodec(loadSchemaRegistry(), upcasters),
  });
  say(`generating a plant of ${EVENTS.toLocaleString('en-US')} events and its read models...\n`);
  const total = await generatePlant(store, { events: EVENTS, machines: MACHINES });
  const readStore = createSqliteReadStore(join(temp.dir, 'readmodels.db'));
  await rebuildReadModels(
    { store, readStore, logger: createLogger('error') },
    createProjections(TEST_PLANT),
    () => undefined,
  );
  const orders = Math.floor(total / 40);
  const wip = (await readStore.active('wip')) as string;
  await readStore.close();
  // the generated plant already holds what the process managers would have done (queues, loops):
  // they start where a plant that had been running would have them, at the head of the log
  const checkpoints = createSqliteCheckpointStore(join(temp.dir, 'checkpoints.db'));
  const head = (await store.headPosition()) as string;
  // every process manager src/main/services.ts starts: one left out replays the whole generated history
  // while the load runs (issuing commands of its own, at the cost of the figures measured)
  const processes = ['quality-loop', 'dispatch', 'corrective-requests', 'clock-out', 'spc', 'health', 'alerts'];
  for (const process of processes) await checkpoints.save(process, head);
  await checkpoints.close();
  await store.close();

  const keys = makeKeys(temp.dir);
  const backbone = await startBackboneProcess(
    {
      DATA_DIR: temp.dir,
      API_KEYS_FILE: keys.file,
      LOG_LEVEL: 'warn',
      ...(PROFILE_DIR
        ? { NODE_OPTIONS: `-r ${resolve(__dirname, 'lib/cpuProfileHook.cjs')}`, CPU_PROFILE_DIR: PROFILE_DIR }
        : {}),
    },
    // a started process reads what it needs of a million events first: minutes on a busy machine
    600_000,
  );
  const baseline = await startBaseline({
    EVENTS_DB: join(temp.dir, 'baseline-events.db'),
    DOCS_DB: join(temp.dir, 'readmodels.db'),
    DOCS_TABLE: `c_${wip}__orders`,
  });
  const api = client(backbone.baseUrl, keys.tokens);
  say('seeding running operations...\n');
  // SHAFT is not in the master data: an order names its routing
  const routing = {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-B',
        standardMinutesPerUnit: 1,
        setupMinutes: 5,
        inspectionRequired: false,
        materials: [],
      },
    ],
  };
  for (let o = 0; o < RUNNING; o += 1) {
    const orderId = `RUN-${o}`;
    await api.post('/api/orders', {
      orderId,
      product: 'SHAFT',
      quantity: 1000,
      unit: 'pcs',
      customer: 'ACME',
      priority: 3,
      dueDate: '2027-01-01T00:00:00Z',
      routing,
    });
    await api.post(`/api/orders/${orderId}/release`, {});
    await api.post(`/api/orders/${orderId}/operations/010/start`, { machineId: `M${o % MACHINES}` });
  }
  // energy intervals and state changes move forward per machine, so every command is valid: from a week
  // ago (after the generated plant's history), a minute a command, not past the server's time
  const since = Date.now() - 7 * 86_400_000;
  const clockOf = new Map<number, number>();
  const stateOf = new Map<number, boolean>();
  const tick = (m: number) => {
    const at = (clockOf.get(m) ?? since) + 60_000;
    clockOf.set(m, at);
    return at;
  };
  let r = 0;
  // a connection writes to a machine of its own, so its energy intervals and state changes arrive in order
  const command = (connection: number) => {
    r += 1;
    const pick = r % 10;
    const m = connection % MACHINES;
    if (pick < 4) {
      const to = tick(m);
      return {
        method: 'POST' as const,
        path: `/api/machines/M${m}/energy`,
        body: {
          intervalStart: new Date(to - 60_000).toISOString(),
          intervalEnd: new Date(to).toISOString(),
          kWh: 0.25,
        },
      };
    }
    if (pick < 7)
      return {
        method: 'POST' as const,
        path: `/api/orders/RUN-${r % RUNNING}/operations/010/report`,
        body: { good: 0, scrap: 0, rework: 1 },
      };
    if (pick < 9) {
      const running = !(stateOf.get(m) ?? true);
      stateOf.set(m, running);
      return {
        method: 'POST' as const,
        path: `/api/machines/M${m}/state`,
        body: { state: running ? 'running' : 'idle', at: new Date(tick(m)).toISOString() },
      };
    }
    return {
      method: 'POST' as const,
      path: '/api/orders',
      body: {
        orderId: `NEW-${randomUUID()}`,
        product: 'SHAFT',
        quantity: 10,
        unit: 'pcs',
        customer: 'ACME',
        priority: 5,
        dueDate: '2027-02-01T00:00:00Z',
        routing,
      },
    };
  };
  let q = 0;
  const query = () => {
    q += 1;
    const o = (q * 7919) % orders;
    const paths = [
      `/api/wip/orders/GO-${o}`,
      `/api/wip/orders/GO-${(o + 1) % orders}`,
      `/api/carbon/orders/GO-${o}`,
      '/api/wip/orders?status=Completed&limit=20',
      `/api/dispatch/WC-${q % 10}`,
      `/api/oee/M${q % MACHINES}/days?from=2026-01-05&to=2026-01-12`,
      '/api/quality/pareto',
      `/api/genealogy/FG-${o}/backward`,
    ];
    return { method: 'GET' as const, path: paths[q % paths.length] as string };
  };
  // the baseline appends each command's body to a stream named after its path; it reads an order's document
  const baselineCommand = (connection: number) => {
    const next = command(connection);
    return { ...next, path: `/append/${encodeURIComponent(next.path.slice('/api/'.length))}` };
  };
  const baselineQuery = () => {
    q += 1;
    return { method: 'GET' as const, path: `/doc/GO-${(q * 7919) % orders}` };
  };
  // each phase starts with an unmeasured warm-up: a cold process compiles its routes first
  // with --cpu-prof, the backbone is profiled over each of its measured phases (SIGUSR2 starts and stops)
  const profiled = (url: string) => PROFILE_DIR !== undefined && url === backbone.baseUrl;
  const measure = async (name: string, url: string, build: Parameters<typeof load>[2]): Promise<Run> => {
    say(`${name} (warm-up, then measured)...\n`);
    await load(url, keys.tokens.all, build, 3);
    const pid = (url === backbone.baseUrl ? backbone.child.pid : baseline.pid) as number;
    if (profiled(url)) backbone.child.kill('SIGUSR2');
    const cpuBefore = cpuMsOf(pid);
    const run = await load(url, keys.tokens.all, build);
    const cpuMs = (cpuMsOf(pid) - cpuBefore) / (run.rate * SECONDS);
    if (profiled(url)) backbone.child.kill('SIGUSR2');
    return { ...run, cpuMs };
  };
  const skipped: Run = { rate: Number.NaN, p50: Number.NaN, p99: Number.NaN, errors: 0, non2xx: 0, outOfOrder: 0 };
  const phase = async (name: string, url: string, build: Parameters<typeof load>[2]): Promise<Run> =>
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
  for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 200))) {
    const status = (await api.get('/ready', null)).body as { projections: Array<{ lagEvents: number | null }> };
    ready = status.projections.every((p) => p.lagEvents === 0);
  }
  if (PER_ROUTE) {
    // each query route alone, 2 s of the same load: its rate and the backbone's CPU per answer
    for (const path of ['/health', ...Array.from({ length: 8 }, () => query().path)]) {
      const cpu = cpuMsOf(backbone.child.pid as number);
      const run = await load(backbone.baseUrl, keys.tokens.all, () => ({ method: 'GET', path }), 2);
      const perAnswer = (cpuMsOf(backbone.child.pid as number) - cpu) / (run.rate * 2);
      say(`  ${path}: ${Math.round(run.rate)} answers/s, ${perAnswer.toFixed(3)} ms CPU each\n`);
    }
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
  const rows = [
    result({
      name: 'commands/s (energy, reports, state changes, new orders)',
      value: commands.rate,
      unit: 'req/s',
      baseline: `${base} durable append`,
      baselineValue: baseCommands.rate,
      minimumRatio: 0.5,
    }),
    result({
      name: 'command latency p50',
      value: commands.p50,
      unit: 'ms',
      baseline: `${base} append p50`,
      baselineValue: baseCommands.p50,
    }),
    result({
      name: 'command latency p99',
      value: commands.p99,
      unit: 'ms',
      baseline: `${base} append p99`,
      baselineValue: baseCommands.p99,
      maximumRatio: 2,
    }),
    result({
      name: 'server CPU per command',
      value: commands.cpuMs ?? Number.NaN,
      unit: 'ms',
      baseline: `${base} CPU per append`,
      baselineValue: baseCommands.cpuMs ?? Number.NaN,
    }),
    result({
      name: 'queries/s (WIP, carbon, dispatch, OEE, Pareto, genealogy)',
      value: queries.rate,
      unit: 'req/s',
      baseline: `${base} document get`,
      baselineValue: baseQueries.rate,
      minimumRatio: 0.7,
    }),
    result({
      name: 'query latency p50',
      value: queries.p50,
      unit: 'ms',
      baseline: `${base} get p50`,
      baselineValue: baseQueries.p50,
    }),
    result({
      name: 'query latency p99',
      value: queries.p99,
      unit: 'ms',
      baseline: `${base} get p99`,
      baselineValue: baseQueries.p99,
      maximumRatio: 2,
    }),
    result({
      name: 'server CPU per query',
      value: queries.cpuMs ?? Number.NaN,
      unit: 'ms',
      baseline: `${base} CPU per get`,
      baselineValue: baseQueries.cpuMs ?? Number.NaN,
    }),
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
