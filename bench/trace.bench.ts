// npm run bench:trace [-- --json] [-- --events N] [-- --samples S] [-- --fetch] [-- --db DIR] [-- --only PHASES] [-- --cpu-prof DIR]
// --fetch measures the HTTP rows with undici's fetch as before (default: node:http with a keep-alive agent,
// about half fetch's CPU per request, which this same process pays beside the route);
// --db DIR keeps the generated log in DIR and reuses it on the next run (generating 1M events takes minutes);
// --only trace,asof,verify,export,genealogy measures those phases alone; --cpu-prof DIR writes a V8 CPU
// profile of each measured phase to DIR/<phase>.cpuprofile (summarise with bench/lib/cpuProfile.ts).
// Traceability on a generated plant of 1,000,000 events (SQLite), each figure beside a baseline from the
// same run. The HTTP figures are the trace routes' handlers mounted on a bare express app (no
// authentication, and so not the TraceabilityRead event each audited read appends first).
// Targets (issue 19): a correlation trace p99 <= 20 ms from an index; the state as of an instant of an
// order of 10,000 events p99 <= 20 ms; verification of a 10,000-event stream p99 <= 200 ms; the NDJSON
// export >= 100,000 events/s; the genealogy of a lot 10 levels deep p99 <= 20 ms.
import express from 'express';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../src/adapters/readstore/sqliteReadStore';
import type { EventStore, EventToAppend } from '../src/app/eventStore';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import type { RouteContext } from '../src/api/routes';
import { traceRoutes } from '../src/api/traceRoutes';
import { upcasters } from '../src/domain/upcasters';
import { createLogger } from '../src/lib/logger';
import { loadMany, walkGenealogy } from '../src/projections/genealogyQueries';
import { rebuildReadModels } from '../src/projections/manager';
import { genealogyProjection } from '../src/projections/models/genealogy';
import { makeTempDir } from '../test/support/tmp';
import { generatePlant } from './lib/plantGenerator';
import { argNumber, report, result, secondsSince } from './lib/report';

const EVENTS = argNumber('events', 1_000_000);
const SAMPLES = argNumber('samples', 300);
const LONG_ORDER_EVENTS = 10_000;
const DEPTH = 10;
const DEVICE_CORRELATION = 'device:M1';
const quiet = process.argv.includes('--json');
const argText = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const DB_DIR = argText('db');
const PROFILE_DIR = argText('cpu-prof');
const ONLY = argText('only')?.split(',');
const measures = (phase: string): boolean => !ONLY || ONLY.includes(phase);
const say = (text: string) => !quiet && process.stderr.write(text);

const at = (ms: number) => new Date(ms).toISOString();
const meta = (correlationId: string, ms: number) => ({
  occurredAt: at(ms),
  actor: 'bench',
  source: 'system' as const,
  correlationId,
  causationId: correlationId,
});
const event = (type: string, data: Record<string, unknown>, correlationId: string, ms: number): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: meta(correlationId, ms),
});

/** An order of `count` events (planned, released, started, then quantity reports), appended 100 at a time. */
const appendLongOrder = async (store: EventStore, orderId: string, count: number): Promise<void> => {
  const t0 = Date.parse('2026-03-01T00:00:00Z');
  const op = { orderId, operationId: '010', workCenter: 'WC-1' };
  const spec = {
    product: 'SHAFT',
    quantity: 1_000_000,
    unit: 'pcs',
    customer: 'ACME',
    priority: 5,
    dueDate: at(t0 + 30 * 86_400_000),
    overrunTolerance: 0,
    source: 'planner',
    routing: {
      overlap: false,
      operations: [
        {
          operationId: '010',
          code: 'TURN',
          workCenter: 'WC-1',
          standardMinutesPerUnit: 0.5,
          setupMinutes: 10,
          inspectionRequired: false,
          materials: [],
        },
      ],
    },
  };
  const head = [
    event('OrderPlanned', { orderId, spec, plannedAt: at(t0) }, orderId, t0),
    event('OrderReleased', { orderId, releasedAt: at(t0) }, orderId, t0),
    event(
      'OperationReady',
      {
        ...op,
        product: 'SHAFT',
        quantity: 1_000_000,
        priority: 5,
        dueDate: spec.dueDate,
        releasedAt: at(t0),
        plannedMinutes: 60,
      },
      orderId,
      t0,
    ),
    event('OperationStarted', { ...op, machineId: 'M1', operatorId: 'op-1', startedAt: at(t0) }, orderId, t0),
  ];
  const reports = Array.from({ length: count - head.length }, (_, i) => {
    const ms = t0 + (i + 1) * 60_000;
    // what a machine's gateway causes shares one correlation: a trace of it is many thousand events, paged
    const correlationId = DEVICE_CORRELATION;
    return event(
      'OperationQuantityReported',
      {
        ...op,
        machineId: 'M1',
        good: 10,
        scrap: i % 50 === 0 ? 1 : 0,
        rework: 0,
        reportedAt: at(ms),
        ...(i % 50 === 0 ? { scrapReason: 'BURR' } : {}),
      },
      correlationId,
      ms,
    );
  });
  const all = [...head, ...reports];
  for (let i = 0; i < all.length; i += 100) await store.append(`order-${orderId}`, all.slice(i, i + 100));
};

/** Lot RAW-0 into order CHAIN-1 making lot L-1, into CHAIN-2 making L-2... down to L-depth. */
const appendGenealogyChain = async (store: EventStore, depth: number): Promise<string> => {
  const t0 = Date.parse('2026-04-01T00:00:00Z');
  const c = 'genealogy-chain';
  await store.append('lot-CHAIN-L0', [
    event(
      'LotReceived',
      {
        lotId: 'CHAIN-L0',
        material: 'BAR',
        quantity: 100,
        unit: 'kg',
        supplier: 'Steel Co',
        supplierLot: 'S',
        receivedAt: at(t0),
        source: 'wms',
      },
      c,
      t0,
    ),
  ]);
  for (let level = 1; level <= depth; level += 1) {
    const ms = t0 + level * 3_600_000;
    const orderId = `CHAIN-${level}`;
    const input = `CHAIN-L${level - 1}`;
    const output = `CHAIN-L${level}`;
    await store.append(`lot-${input}`, [
      event(
        'LotIssued',
        {
          lotId: input,
          material: level === 1 ? 'BAR' : 'SHAFT',
          orderId,
          operationId: '010',
          quantity: 10,
          unit: level === 1 ? 'kg' : 'pcs',
          issuedAt: at(ms),
        },
        c,
        ms,
      ),
    ]);
    await store.append(`lot-${output}`, [
      event(
        'LotProduced',
        { lotId: output, material: 'SHAFT', orderId, quantity: 10, unit: 'pcs', producedAt: at(ms) },
        c,
        ms,
      ),
    ]);
  }
  return `CHAIN-L${depth}`;
};

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

/** Milliseconds each of `samples` calls took (after a few untimed warm-up calls). */
const timings = async (samples: number, call: (i: number) => unknown): Promise<number[]> => {
  for (let i = 0; i < 5; i += 1) await call(i);
  const out: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = process.hrtime.bigint();
    await call(i);
    out.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return out;
};
/** p99 and p50 of `samples` calls. */
const latency = async (samples: number, call: (i: number) => unknown) => {
  const measured = await timings(samples, call);
  return { p99: percentile(measured, 99), p50: percentile(measured, 50) };
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The trace routes' handlers on a bare express app: what the route does, over HTTP, without auth. */
const serveTraceRoutes = async (store: EventStore) => {
  const app = express();
  const wanted = [
    '/api/correlations/:correlationId',
    '/api/streams/:streamId/state',
    '/api/verify/streams/:streamId',
    '/api/export',
  ];
  for (const route of traceRoutes({ store }).filter((r) => wanted.includes(r.path))) {
    app.get(route.path, (req, res, next) => {
      const roles = ['auditor'] as const;
      const ctx = {
        req,
        res,
        principal: { name: 'bench', roles, via: 'key', pending: [] },
        requestId: 'bench',
        params: req.params as Record<string, string>,
        query: req.query as Record<string, string>,
        body: {},
        meta: { now: new Date().toISOString(), actor: 'bench', roles },
      } as unknown as RouteContext;
      route.handle(ctx).then((answer) => {
        if (!answer.stream) res.status(answer.status ?? 200).json(answer.body);
      }, next);
    });
  }
  // the floor: an empty answer through the same client, server and express
  app.get('/bench/empty', (_req, res) => {
    res.json([]);
  });
  const server = app.listen(0, '127.0.0.1');
  // the raw baselines hold the event loop between requests: an idle socket must not be closed meanwhile
  server.keepAliveTimeout = 120_000;
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // node:http with a keep-alive agent: undici's fetch, in this same process, costs more CPU per request
  // than the routes measured (an auditor's client runs elsewhere)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const viaHttp = (path: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      request(`${base}${path}`, { agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 200) reject(new Error(`${path}: ${response.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      })
        .on('error', reject)
        .end();
    });
  const viaFetch = async (path: string): Promise<unknown> => {
    const response = await fetch(`${base}${path}`);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const get = process.argv.includes('--fetch') ? viaFetch : viaHttp;
  return {
    base,
    get,
    close: () => {
      agent.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
};

/** A V8 CPU profile of `body`, written to PROFILE_DIR/<phase>.cpuprofile when asked for. */
const profiled = async <T>(phase: string, body: () => Promise<T>): Promise<T> => {
  if (!PROFILE_DIR) return body();
  mkdirSync(PROFILE_DIR, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(PROFILE_DIR, `${phase}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
};

/** The generated log: made in a temp folder (or DB_DIR), or reused from DB_DIR when a run made it there. */
const openLog = async (dir: string) => {
  const marker = join(dir, 'generated.json');
  const store = createSqliteEventStore({
    path: join(dir, 'events.db'),
    codec: createEventCodec(loadSchemaRegistry(), upcasters),
  });
  if (existsSync(marker)) {
    const made = JSON.parse(readFileSync(marker, 'utf8')) as { total: number; plantEvents: number; lot: string };
    say(`reusing the log of ${made.total.toLocaleString('en-US')} events in ${dir}\n`);
    return { store, ...made };
  }
  say(`generating a plant of ${EVENTS.toLocaleString('en-US')} events...\n`);
  const generationStarted = process.hrtime.bigint();
  const plantEvents = await generatePlant(store, {
    events: EVENTS - LONG_ORDER_EVENTS - 2 * DEPTH - 1,
    onProgress: (n) => n % 100_000 < 1000 && say(`  ${n.toLocaleString('en-US')}\r`),
  });
  await appendLongOrder(store, 'LONG-1', LONG_ORDER_EVENTS);
  const lot = await appendGenealogyChain(store, DEPTH);
  const total = plantEvents + LONG_ORDER_EVENTS + 2 * DEPTH + 1;
  say(`\n${total.toLocaleString('en-US')} events in ${secondsSince(generationStarted).toFixed(1)} s\n`);
  writeFileSync(marker, JSON.stringify({ total, plantEvents, lot }));
  return { store, total, plantEvents, lot };
};

const main = async (): Promise<void> => {
  const temp = makeTempDir('mes-bench-trace-');
  if (DB_DIR) mkdirSync(DB_DIR, { recursive: true });
  const { store, total, plantEvents, lot } = await openLog(DB_DIR ?? temp.dir);
  const { db } = store;
  const orders = Math.floor(plantEvents / 40);
  const http = await serveTraceRoutes(store);
  const results = [];
  const measured = () => say(`${results.length}. measured\n`);

  // 1. a correlation's events: one order's ~40 events across 6 streams
  if (measures('trace')) {
    const correlation = (i: number) => `generated-GO-${(i * 7919) % orders}`;
    const rawCorrelation = db.prepare('SELECT * FROM events WHERE correlation_id = ? ORDER BY position');
    const traced = (await http.get(`/api/correlations/${correlation(1)}`)) as unknown[];
    if (traced.length !== rawCorrelation.all(correlation(1)).length)
      throw new Error('the trace and the raw SELECT differ');
    const { p99: traceP99, p50: traceP50 } = await profiled('trace', () =>
      latency(SAMPLES, (i) => http.get(`/api/correlations/${correlation(i)}`)),
    );
    const { p99: rawTraceP99, p50: rawTraceP50 } = await latency(SAMPLES, (i) => rawCorrelation.all(correlation(i)));
    const { p99: emptyP99, p50: emptyP50 } = await latency(SAMPLES, () => http.get('/bench/empty'));
    results.push(
      result({
        name: `correlation trace, GET /api/correlations/:id (${traced.length} events over HTTP), p99 (p50 ${ms(traceP50)}, raw ${ms(rawTraceP50)})`,
        value: traceP99,
        unit: 'ms',
        baseline: 'raw indexed SELECT of the same rows',
        baselineValue: rawTraceP99,
        maximumValue: 20,
      }),
    );
    results.push(
      result({
        name: `the floor: an empty answer over the same HTTP client and express, p99 (p50 ${ms(emptyP50)})`,
        value: emptyP99,
        unit: 'ms',
        baseline: 'raw indexed SELECT of a correlation',
        baselineValue: rawTraceP99,
      }),
    );
    measured();
    // what the route did before: a scan of the whole log, once (it takes seconds)
    const scanStarted = process.hrtime.bigint();
    let scanned = 0;
    for (let after: string | undefined; ;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      scanned += page.events.filter((e) => e.metadata.correlationId === correlation(1)).length;
      after = page.checkpoint;
      if (page.isEnd) break;
    }
    if (scanned !== traced.length) throw new Error('the scan and the index differ');
    results.push(
      result({
        name: 'correlation trace as the route did it before (a scan of the log), once',
        value: secondsSince(scanStarted) * 1000,
        unit: 'ms',
        baseline: 'raw indexed SELECT p99',
        baselineValue: rawTraceP99,
      }),
    );
    measured();

    // a machine's correlation of ~10,000 events, a page at a time: walked whole once (equal to the raw
    // SELECT), then its pages asked for at random
    const rawDevice = db.prepare('SELECT id FROM events WHERE correlation_id = ? ORDER BY position').pluck();
    const everyId = rawDevice.all(DEVICE_CORRELATION) as string[];
    const pages: string[] = [];
    // the position each page reads after, for the raw baseline
    const pageAfter: number[] = [];
    let lastPosition = 0;
    const walked: string[] = [];
    for (let next: string | undefined = `/api/correlations/${DEVICE_CORRELATION}`; next !== undefined;) {
      pages.push(next);
      const response = await fetch(`${http.base}${next}`);
      if (response.status !== 200) throw new Error(`${next}: ${response.status} ${await response.text()}`);
      const events = (await response.json()) as Array<{ id: string; position: string }>;
      pageAfter.push(lastPosition);
      walked.push(...events.map((e) => e.id));
      lastPosition = Number(events.at(-1)?.position ?? lastPosition);
      next = /<([^>]*)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    if (walked.join() !== everyId.join())
      throw new Error('the pages of the device correlation and the raw SELECT differ');
    const rawPage = db.prepare(
      'SELECT * FROM events WHERE correlation_id = ? AND position > ? ORDER BY position LIMIT 1000',
    );
    const { p99: pageP99, p50: pageP50 } = await profiled('trace-pages', () =>
      latency(SAMPLES, (i) => http.get(pages[i % pages.length] as string)),
    );
    const { p99: rawPageP99, p50: rawPageP50 } = await latency(SAMPLES, (i) =>
      rawPage.all(DEVICE_CORRELATION, pageAfter[i % pages.length]),
    );
    results.push(
      result({
        name: `a page of a ${everyId.length.toLocaleString('en-US')}-event correlation (${pages.length} pages of at most 1,000), p99 (p50 ${ms(pageP50)}, raw ${ms(rawPageP50)})`,
        value: pageP99,
        unit: 'ms',
        baseline: 'raw indexed SELECT of 1,000 rows',
        baselineValue: rawPageP99,
      }),
    );
    measured();
  }

  // 2. the state of an order of 10,000 events as of instants spread over its history
  const long = 'order-LONG-1';
  const rawStream = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision');
  if (measures('asof')) {
    const instants = db
      .prepare('SELECT recorded_at FROM events WHERE stream_id = ? ORDER BY revision')
      .pluck()
      .all(long) as string[];
    const instant = (i: number) => instants[(i * 104_729) % instants.length] as string;
    // the first answer for a stream reads it whole, once, to take its snapshots
    const coldStarted = process.hrtime.bigint();
    await http.get(`/api/streams/${long}/state?asOf=${encodeURIComponent(instant(0))}`);
    const cold = secondsSince(coldStarted) * 1000;
    const { p99: stateP99, p50: stateP50 } = await profiled('asof', () =>
      latency(SAMPLES, (i) => http.get(`/api/streams/${long}/state?asOf=${encodeURIComponent(instant(i))}`)),
    );
    const { p99: rawStreamP99, p50: rawStreamP50 } = await latency(SAMPLES, () => rawStream.all(long));
    results.push(
      result({
        name: `state as of an instant, GET /api/streams/:id/state?asOf (order of ${instants.length.toLocaleString('en-US')} events), p99 (p50 ${ms(stateP50)}, raw ${ms(rawStreamP50)})`,
        value: stateP99,
        unit: 'ms',
        baseline: 'raw SELECT of the whole stream',
        baselineValue: rawStreamP99,
        maximumValue: 20,
      }),
      result({
        name: 'state as of an instant, the first answer for that stream (takes its snapshots), once',
        value: cold,
        unit: 'ms',
        baseline: 'raw SELECT of the whole stream p99',
        baselineValue: rawStreamP99,
      }),
    );
    measured();
  }

  // 3. verification of the 10,000-event stream's hash chain
  if (measures('verify')) {
    const verified = (await http.get(`/api/verify/streams/${long}`)) as { ok: boolean; events: number };
    if (!verified.ok || verified.events !== LONG_ORDER_EVENTS)
      throw new Error(`verification: ${JSON.stringify(verified)}`);
    const { p99: verifyP99, p50: verifyP50 } = await profiled('verify', () =>
      latency(Math.min(SAMPLES, 100), () => http.get(`/api/verify/streams/${long}`)),
    );
    const { p99: rawParseP99, p50: rawParseP50 } = await latency(Math.min(SAMPLES, 100), () =>
      rawStream.all(long).map((row) => {
        const r = row as { data: string; metadata: string };
        return [JSON.parse(r.data) as unknown, JSON.parse(r.metadata) as unknown];
      }),
    );
    results.push(
      result({
        name: `verify a stream's chain, GET /api/verify/streams/:id (${LONG_ORDER_EVENTS.toLocaleString('en-US')} events), p99 (p50 ${ms(verifyP50)}, raw ${ms(rawParseP50)})`,
        value: verifyP99,
        unit: 'ms',
        baseline: 'raw SELECT + JSON.parse of the stream',
        baselineValue: rawParseP99,
        maximumValue: 200,
      }),
    );
    measured();
  }

  // 4. the NDJSON export of the whole log, read by an HTTP client
  if (measures('export')) {
    const exportStarted = process.hrtime.bigint();
    const lines = await profiled('export', async () => {
      const response = await fetch(`${http.base}/api/export`);
      let count = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) count += 1;
      }
      return count;
    });
    const exportRate = lines / secondsSince(exportStarted);
    if (lines !== total) throw new Error(`the export wrote ${lines} lines for ${total} events`);
    const rawAll = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT 1000');
    const rawReadStarted = process.hrtime.bigint();
    let rawRead = 0;
    for (let after = 0; ;) {
      const rows = rawAll.all(after) as Array<{ position: number; data: string; metadata: string }>;
      for (const row of rows) {
        JSON.parse(row.data);
        JSON.parse(row.metadata);
      }
      rawRead += rows.length;
      if (rows.length < 1000) break;
      after = (rows[rows.length - 1] as { position: number }).position;
    }
    const rawReadRate = rawRead / secondsSince(rawReadStarted);
    results.push(
      result({
        name: `NDJSON export, GET /api/export (${lines.toLocaleString('en-US')} events to an HTTP client)`,
        value: exportRate,
        unit: 'events/s',
        baseline: 'raw read-all in pages of 1,000 + JSON.parse',
        baselineValue: rawReadRate,
        minimumValue: 100_000,
      }),
    );
    measured();
  }
  await http.close();

  // 5. genealogy of a lot 10 levels deep, backward (the query the route runs, in process)
  if (measures('genealogy')) {
    const readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
    const [status] = await rebuildReadModels(
      { store, readStore, logger: createLogger('error') },
      [genealogyProjection],
      () => undefined,
    );
    const namespace = status?.namespace as string;
    const load = loadMany(
      (collection, id) => readStore.get(namespace, collection, id),
      (collection, options) => readStore.find(namespace, collection, options),
    );
    const walked = await walkGenealogy(load, lot, 'backward');
    if (walked.lots.length !== DEPTH + 1) throw new Error(`genealogy found ${walked.lots.length} lots`);
    const { p99: genealogyP99, p50: genealogyP50 } = await profiled('genealogy', () =>
      latency(SAMPLES, () => walkGenealogy(load, lot, 'backward')),
    );
    const ids = walked.lots.map((l) => l['lotId'] as string);
    const { p99: rawGetsP99, p50: rawGetsP50 } = await latency(SAMPLES, async () => {
      for (const id of ids) await readStore.get(namespace, 'lots', id);
    });
    results.push(
      result({
        name: `genealogy of a lot ${DEPTH} levels deep, backward (${walked.lots.length} lots, ${walked.links.length} links), p99 (p50 ${ms(genealogyP50)}, raw ${ms(rawGetsP50)})`,
        value: genealogyP99,
        unit: 'ms',
        baseline: `${ids.length} raw read-store gets of its lots`,
        baselineValue: rawGetsP99,
        maximumValue: 20,
      }),
    );
    measured();
    await readStore.close();
  }
  await store.close();
  temp.remove();
  report(
    `Traceability benchmark: ${total.toLocaleString('en-US')} events (SQLite), ${SAMPLES} samples per p99`,
    results,
  );
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
