// Rebuilds some read models in a worker thread, beside the ones the main thread rebuilds, each thread
// with its own connections to the SQLite event store and read store (WAL: readers beside a writer;
// the two threads' commits take the write lock in turn). The worker reads the log on its own and
// decodes only the event types its projections take.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createEventCodec } from '../adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../adapters/readstore/sqliteReadStore';
import type { PlantConfig } from '../app/plant';
import { loadSchemaRegistry, type SchemaRegistry } from '../app/schemaRegistry';
import { upcasters } from '../domain/upcasters';
import { createLogger } from '../lib/logger';
import { createProjections, startProjectionGroup, type ProjectionStatus } from '../projections';
import type { RebuildElsewhere } from '../projections/manager';
import type { TelemetryRetention } from '../projections/models/telemetry';

/**
 * The read models rebuilt in the worker: machines' states, counts, energy and maintenance. Each thread
 * reads the log's events of its own models' types, so a split whose halves share few types reads less:
 * maintenance takes only machine states and counts, which OEE reads anyway (the threads read 1.29M
 * events of the 1M bench log, against 1.60M with genealogy in the worker). On the quiet Xeon, three
 * runs of each in turns: 0.474, 0.525 and 0.466 of the raw read-all, the worker done 0.7-0.8 s before
 * the main thread; with labour in the worker too, 0.451, 0.458 and 0.424, the worker done 0.6-0.9 s
 * after it; with genealogy in the worker instead of maintenance and labour, 0.44 (a median rebuild CPU
 * of 21.0 s against 17.1 s on a loaded VM). With oee and carbon alone the main thread finished 13-25%
 * after the worker.
 */
export const MACHINE_SIDE: readonly string[] = ['oee', 'carbon', 'maintenance'];

type Job = {
  eventsPath: string;
  readPath: string;
  plant: PlantConfig;
  telemetryRetention?: TelemetryRetention;
  entries: Array<{ name: string; namespace: string }>;
  batchSize: number;
  commitEvery: number;
};

type Reply = { status: ProjectionStatus[] } | { error: string };

/**
 * Projections `names` rebuilt in a worker thread over the SQLite files at `eventsPath` and `readPath`
 * (the ones the main thread's stores use), built there from the same plant configuration.
 */
export const rebuildInWorker = (options: {
  eventsPath: string;
  readPath: string;
  plant: PlantConfig;
  telemetryRetention?: TelemetryRetention;
  names: readonly string[];
}): RebuildElsewhere => ({
  names: options.names,
  run: (entries, { batchSize, commitEvery }) =>
    new Promise((resolve, reject) => {
      const job: Job = {
        eventsPath: options.eventsPath,
        readPath: options.readPath,
        plant: options.plant,
        telemetryRetention: options.telemetryRetention,
        entries,
        batchSize,
        commitEvery,
      };
      const compiled = compiledWorker();
      // run from TypeScript (ts-node) with no fresh build, the worker registers ts-node itself: a test
      // runner's require hooks are not inherited by worker threads
      const worker =
        compiled !== undefined
          ? new Worker(compiled, { workerData: job })
          : new Worker(`require('ts-node/register/transpile-only'); require(${JSON.stringify(__filename)});`, {
              eval: true,
              workerData: job,
            });
      let replied = false;
      worker.once('message', (reply: Reply) => {
        replied = true;
        if ('error' in reply) reject(new Error(`read-model rebuild worker: ${reply.error}`));
        else resolve(reply.status);
      });
      worker.once('error', (error) => {
        replied = true;
        reject(error);
      });
      worker.once('exit', (code) => {
        if (!replied) reject(new Error(`read-model rebuild worker exited (${code}) without an answer`));
      });
    }),
});

/** The newest modification time of a file under `path` (a folder's own time moves when an entry goes). */
const newest = (path: string): number => {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return -Infinity;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
};

/**
 * The worker's compiled JavaScript: this file when it is compiled, else dist/'s when `npm run build`
 * made it after every change under src/ (the same code; ts-node's loading of the worker's modules
 * costs about 3 CPU-s). Undefined when there is none that fresh.
 */
export const compiledWorker = (): string | undefined => {
  if (!__filename.endsWith('.ts')) return __filename;
  const root = join(__dirname, '..', '..');
  const built = statSync(join(root, 'dist', 'main', 'rebuildWorker.js'), { throwIfNoEntry: false });
  if (built === undefined) return undefined;
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'tsconfig.json')));
  return built.mtimeMs >= sources ? join(root, 'dist', 'main', 'rebuildWorker.js') : undefined;
};

/** The schemas, compiled only if asked for: a worker that only reads never validates an append. */
const lazySchemas = (load: () => SchemaRegistry): SchemaRegistry => {
  let loaded: SchemaRegistry | undefined;
  const schemas = (): SchemaRegistry => (loaded ??= load());
  return {
    has: (key) => schemas().has(key),
    keys: () => schemas().keys(),
    check: (key, value) => schemas().check(key, value),
    valid: (key, value) => schemas().valid(key, value),
    assert: (key, value, what, pathPrefix) => schemas().assert(key, value, what, pathPrefix),
    parse: (key, value, what, pathPrefix) => schemas().parse(key, value, what, pathPrefix),
    eventVersions: (type) => schemas().eventVersions(type),
    eventTypes: () => schemas().eventTypes(),
    schema: (key) => schemas().schema(key),
  };
};

const work = async (job: Job): Promise<ProjectionStatus[]> => {
  const store = createSqliteEventStore({
    path: job.eventsPath,
    codec: createEventCodec(lazySchemas(loadSchemaRegistry), upcasters),
  });
  const readStore = createSqliteReadStore(job.readPath);
  try {
    const all = createProjections(job.plant, { telemetryRetention: job.telemetryRetention });
    const entries = job.entries.map(({ name, namespace }) => {
      const projection = all.find((p) => p.name === name);
      if (!projection) throw new Error(`no read model named ${name}`);
      return { projection, namespace };
    });
    const group = await startProjectionGroup({ store, readStore, logger: createLogger('error') }, entries, {
      batchSize: job.batchSize,
      commitEvery: job.commitEvery,
    });
    await group.idle();
    const status = await group.status();
    await group.stop();
    return status;
  } finally {
    await readStore.close();
    await store.close();
  }
};

if (!isMainThread && parentPort && (workerData as Job | undefined)?.entries) {
  const port = parentPort;
  work(workerData as Job).then(
    (status) => port.postMessage({ status } satisfies Reply),
    (error: unknown) =>
      port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies Reply),
  );
}
