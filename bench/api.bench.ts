// npm run bench:api [-- --json] [-- --events N] [-- --seconds S]
// Commands/s and queries/s with p50/p99 over HTTP against a started process whose store holds a
// generated plant of 1,000,000 events, beside raw store appends and raw read-store gets in the same run.
// Minimums on 2 cores: 2,000 commands/s with p99 <= 50 ms; 5,000 queries/s with p99 <= 20 ms.
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
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
import { startBackboneProcess } from '../test/support/backboneProcess';
import { counted, createTestCodec } from '../test/support/events';
import { TEST_PLANT } from '../test/support/readStoreDump';
import { makeTempDir } from '../test/support/tmp';
import { generatePlant } from './lib/plantGenerator';
import { argNumber, report, result, secondsSince } from './lib/report';

const EVENTS = argNumber('events', 1_000_000);
const SECONDS = argNumber('seconds', 10);
const quiet = process.argv.includes('--json');
const say = (text: string) => !quiet && process.stderr.write(text);
const MACHINES = 50;
const RUNNING = 64;

let connections = 0;
let shown = 0;
let outOfOrder = 0;

type Run = { rate: number; p50: number; p99: number; errors: number; non2xx: number; outOfOrder: number };

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
        // only 2xx answers count: a fast stream of refusals is not throughput
        const ok = outcome.requests.total - outcome.non2xx - outcome.errors;
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

const rawAppends = async (dir: string): Promise<number> => {
  const store = createSqliteEventStore({ path: join(dir, 'raw.db'), codec: createTestCodec() });
  const started = process.hrtime.bigint();
  let written = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async (_, w) => {
      while (Date.now() < until) {
        await store.append(`raw-${w}`, [counted(written)]);
        written += 1;
      }
    }),
  );
  const rate = written / secondsSince(started);
  await store.close();
  return rate;
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
  const rawGetsStarted = process.hrtime.bigint();
  const wip = (await readStore.active('wip')) as string;
  for (let i = 0; i < 20_000; i += 1) await readStore.get(wip, 'orders', `GO-${i % orders}`);
  const rawGets = 20_000 / secondsSince(rawGetsStarted);
  await readStore.close();
  // the generated plant already holds what the process managers would have done (queues, loops):
  // they start where a plant that had been running would have them, at the head of the log
  const checkpoints = createSqliteCheckpointStore(join(temp.dir, 'checkpoints.db'));
  const head = (await store.headPosition()) as string;
  for (const process of ['quality-loop', 'dispatch']) await checkpoints.save(process, head);
  await checkpoints.close();
  await store.close();

  const keys = makeKeys(temp.dir);
  const backbone = await startBackboneProcess(
    { DATA_DIR: temp.dir, API_KEYS_FILE: keys.file, LOG_LEVEL: 'warn' },
    120_000,
  );
  const api = client(backbone.baseUrl, keys.tokens);
  say('seeding running operations...\n');
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
      routing: {
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
      },
    });
    await api.post(`/api/orders/${orderId}/release`, {});
    await api.post(`/api/orders/${orderId}/operations/010/start`, { machineId: `M${o % MACHINES}` });
  }
  // energy intervals and state changes move forward per machine, so every command is valid
  const clockOf = new Map<number, number>();
  const stateOf = new Map<number, boolean>();
  const tick = (m: number) => {
    const at = (clockOf.get(m) ?? Date.parse('2027-01-01T00:00:00Z')) + 60_000;
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
  // each phase starts with an unmeasured warm-up: a cold process compiles its routes first
  say('commands (warm-up, then measured)...\n');
  await load(backbone.baseUrl, keys.tokens.all, command, 3);
  const commands = await load(backbone.baseUrl, keys.tokens.all, command);
  // queries are measured over caught-up read models, not while projections apply the commands above
  for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 200))) {
    const status = (await api.get('/ready', null)).body as { projections: Array<{ lagEvents: number | null }> };
    ready = status.projections.every((p) => p.lagEvents === 0);
  }
  say('queries (warm-up, then measured)...\n');
  await load(backbone.baseUrl, keys.tokens.all, query, 3);
  const queries = await load(backbone.baseUrl, keys.tokens.all, query);
  await backbone.stop();
  say('raw appends...\n');
  const raw = await rawAppends(temp.dir);
  say(`${commands.outOfOrder} command(s) refused as out of order (409, as designed), not counted\n`);
  const failures = commands.errors + commands.non2xx + queries.errors + queries.non2xx;
  if (failures > 0) {
    console.error(
      `${commands.non2xx} command and ${queries.non2xx} query answers were not 2xx, ${commands.errors + queries.errors} errors: the run does not count`,
    );
    process.exitCode = 1;
  }
  report(`API benchmark over ${total.toLocaleString('en-US')} events (32 connections, ${SECONDS} s each)`, [
    result({
      name: 'commands/s (energy, reports, state changes, new orders)',
      value: commands.rate,
      unit: 'req/s',
      baseline: 'raw store appends, 64 writers, in process',
      baselineValue: raw,
      minimumValue: 2000,
    }),
    result({
      name: 'command latency p50',
      value: commands.p50,
      unit: 'ms',
      baseline: 'p99',
      baselineValue: commands.p99,
    }),
    result({
      name: 'command latency p99',
      value: commands.p99,
      unit: 'ms',
      baseline: 'p50',
      baselineValue: commands.p50,
      maximumValue: 50,
    }),
    result({
      name: 'queries/s (WIP, carbon, dispatch, OEE, Pareto, genealogy)',
      value: queries.rate,
      unit: 'req/s',
      baseline: 'raw read-store gets, in process',
      baselineValue: rawGets,
      minimumValue: 5000,
    }),
    result({ name: 'query latency p50', value: queries.p50, unit: 'ms', baseline: 'p99', baselineValue: queries.p99 }),
    result({
      name: 'query latency p99',
      value: queries.p99,
      unit: 'ms',
      baseline: 'p50',
      baselineValue: queries.p50,
      maximumValue: 20,
    }),
  ]);
  temp.remove();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
