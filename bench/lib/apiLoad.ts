// What the API benchmarks (api, soak) send a started backbone: a generated plant to query, running
// operations to report on, and autocannon load of commands or queries that stay valid however long it runs.
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { createLogger } from '../../src/lib/logger';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { createProjections } from '../../src/projections';
import { rebuildReadModels } from '../../src/projections/manager';
import type { client } from '../../test/support/apiClient';
import { TEST_PLANT } from '../../test/support/readStoreDump';
import { generatePlant } from './plantGenerator';

export const MACHINES = 50;
export const RUNNING = 64;
/** How far a machine's device time moves a command (energy interval, state change). */
const STEP_MS = 10_000;

/** One figure of a Prometheus text exposition (a metric without labels, or with the one label given). */
export const metric = (text: string, name: string, label?: string): number => {
  const line = new RegExp(`^${name}${label ? `\\{${label}\\}` : ''} ([0-9.e+-]+)$`, 'm').exec(text);
  if (!line) throw new Error(`/metrics has no ${name}${label ? `{${label}}` : ''}`);
  return Number(line[1]);
};

/** The store's appends and commits so far, from the backbone's /metrics: how much its group commit grouped. */
export const storeCommits = async (baseUrl: string): Promise<{ appends: number; commits: number }> => {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return {
    appends: metric(text, 'event_store_appends_total'),
    commits: metric(text, 'event_store_transactions_total'),
  };
};

export type Request = { method: 'GET' | 'POST'; path: string; body?: unknown };

export type Run = { rate: number; p50: number; p99: number; errors: number; non2xx: number; outOfOrder: number };

let connections = 0;
let shown = 0;

/**
 * Requests from `build` over 32 connections for `seconds` (at most `overallRate` a second when given);
 * only 2xx answers count as throughput. A connection keeps its number across runs (1-32, then 33-64...).
 */
export const load = (
  url: string,
  token: string,
  build: (connection: number) => Request,
  seconds: number,
  overallRate?: number,
): Promise<Run> =>
  new Promise((resolve, reject) => {
    let outOfOrder = 0;
    autocannon(
      {
        url,
        connections: 32,
        duration: seconds,
        ...(overallRate ? { overallRate: Math.max(1, Math.round(overallRate)) } : {}),
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
        resolve({
          rate: outcome['2xx'] / outcome.duration,
          p50: outcome.latency.p50,
          p99: outcome.latency.p99,
          errors: outcome.errors,
          non2xx: outcome.non2xx - outOfOrder,
          outOfOrder,
        });
      },
    );
  });

/**
 * Every process manager src/main/services.ts starts: one left out replays the whole generated history
 * while the load runs (issuing commands of its own, at the cost of the figures measured).
 */
const PROCESS_MANAGERS = ['quality-loop', 'dispatch', 'corrective-requests', 'clock-out', 'spc', 'health', 'alerts'];

/**
 * A store of `events` generated events in `dir` (events.db) with its read models built (readmodels.db)
 * and every process manager's checkpoint at its head (checkpoints.db). Answers the events written, the
 * orders (GO-0 ...) and the active WIP read model's version (its tables are `c_<wip>__<collection>`).
 */
export const preparePlant = async (
  dir: string,
  events: number,
): Promise<{ total: number; orders: number; wip: string }> => {
  const store = createSqliteEventStore({
    path: join(dir, 'events.db'),
    codec: createEventCodec(loadSchemaRegistry(), upcasters),
  });
  const total = await generatePlant(store, { events, machines: MACHINES });
  const readStore = createSqliteReadStore(join(dir, 'readmodels.db'));
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
  const checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  const head = (await store.headPosition()) as string;
  for (const process of PROCESS_MANAGERS) await checkpoints.save(process, head);
  await checkpoints.close();
  await store.close();
  return { total, orders, wip };
};

/** One turning operation: orders carry it (SHAFT has no routing in the master data). */
export const ROUTING = {
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

/** Releases and starts RUNNING orders (RUN-0 ...), one operation each, for the commands to report on. */
export const seedRunningOperations = async (api: ReturnType<typeof client>): Promise<void> => {
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
      routing: ROUTING,
    });
    await api.post(`/api/orders/${orderId}/release`, {});
    await api.post(`/api/orders/${orderId}/operations/010/start`, { machineId: `M${o % MACHINES}` });
  }
};

/**
 * Commands (energy, reports, state changes, new orders): energy intervals and state changes move
 * forward per machine, and a connection writes to a machine of its own, so every command is valid.
 */
export const commandSource = (): ((connection: number) => Request) => {
  // device times from a week ago, STEP_MS a step: after the generated plant's history, and not past the
  // server's time (refused beyond its clock's skew) before a machine's 60,480th reading: hours of a soak
  const from = Math.floor((Date.now() - 7 * 86_400_000) / 60_000) * 60_000;
  const clockOf = new Map<number, number>();
  const stateOf = new Map<number, boolean>();
  const tick = (m: number) => {
    const at = (clockOf.get(m) ?? from) + STEP_MS;
    clockOf.set(m, at);
    return at;
  };
  let r = 0;
  return (connection) => {
    r += 1;
    const pick = r % 10;
    const m = connection % MACHINES;
    if (pick < 4) {
      const to = tick(m);
      return {
        method: 'POST',
        path: `/api/machines/M${m}/energy`,
        body: {
          intervalStart: new Date(to - STEP_MS).toISOString(),
          intervalEnd: new Date(to).toISOString(),
          kWh: 0.25,
        },
      };
    }
    if (pick < 7)
      return {
        method: 'POST',
        path: `/api/orders/RUN-${r % RUNNING}/operations/010/report`,
        body: { good: 0, scrap: 0, rework: 1 },
      };
    if (pick < 9) {
      const running = !(stateOf.get(m) ?? true);
      stateOf.set(m, running);
      return {
        method: 'POST',
        path: `/api/machines/M${m}/state`,
        body: { state: running ? 'running' : 'idle', at: new Date(tick(m)).toISOString() },
      };
    }
    return {
      method: 'POST',
      path: '/api/orders',
      body: {
        orderId: `NEW-${randomUUID()}`,
        product: 'SHAFT',
        quantity: 10,
        unit: 'pcs',
        customer: 'ACME',
        priority: 5,
        dueDate: '2027-02-01T00:00:00Z',
        routing: ROUTING,
      },
    };
  };
};

/** Queries (WIP, carbon, dispatch, OEE, Pareto, genealogy) over the generated plant's `orders` orders. */
export const querySource = (orders: number): (() => Request) => {
  let q = 0;
  return () => {
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
    return { method: 'GET', path: paths[q % paths.length] as string };
  };
};

/**
 * Builds dist/ (`npm run build:server`): the benchmarks start the backbone as production runs it
 * (npm start, the image), compiled, without ts-node's compiler in memory, nor the domain module its
 * REPL loads (which wraps every EventEmitter emit).
 */
export const buildServer = (say: (text: string) => unknown): void => {
  say('building the server (npm run build:server)...\n');
  if (spawnSync('npm', ['run', 'build:server'], { stdio: 'inherit' }).status !== 0) throw new Error('the build failed');
};

/** Waits until every read model has applied the whole log. */
export const projectionsCaughtUp = async (api: ReturnType<typeof client>): Promise<void> => {
  for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 200))) {
    const status = (await api.get('/ready', null)).body as { projections: Array<{ lagEvents: number | null }> };
    ready = status.projections.every((p) => p.lagEvents === 0);
  }
};
