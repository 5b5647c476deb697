// npm run bench:projections [-- --json] [-- --events N] [-- --store DIR] [-- --one-thread] [-- --raw-runs N]
// Rebuilds every read model from a generated plant of 1,000,000 events, beside raw read-all of the
// same store in the same run. Target (issue 19): at least half the raw read-all rate.
// The baseline and the rebuild read the log under the same conditions: an unmeasured raw pass first
// brings the whole file into the operating system's page cache (the first pass after the log was
// written or another benchmark ran read it from the disk at 82-85k events/s, later ones at 180-220k),
// then --raw-runs (3) measured passes, whose median is the baseline (the best of them would pick the
// baseline's luckiest moment on a shared machine against the rebuild's one run; the median is its
// typical warm rate); the rebuild runs right after them on the same warm file. Each phase starts on a
// settled heap (a full garbage collection), so none pays for the garbage of the one before.
// The rebuild is the product's (npm run projections:rebuild, src/main/readSide.ts rebuildElsewhere):
// the machine-side read models (oee, carbon, maintenance) in a worker thread beside the others
// (src/main/rebuildWorker.ts), the worker from dist/'s compiled JavaScript, as `npm start` runs it (the
// bench runs `npm run build:server` first when dist/ is older than src/). --one-thread rebuilds all of them on the main thread.
// --worker-models a,b,... hands those read models to the worker instead (to try another split).
// --store DIR keeps the generated log in DIR (events.db) and reuses it on the next run, for quick
// iterations on the rebuild alone. Each phase's CPU time (every thread's) is printed beside its rate.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../src/lib/logger';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { upcasters } from '../src/domain/upcasters';
import { createProjections } from '../src/projections';
import { rebuildReadModels } from '../src/projections/manager';
import { compiledWorker, MACHINE_SIDE, rebuildInWorker } from '../src/main/rebuildWorker';
import { makeTempDir } from '../test/support/tmp';
import { TEST_PLANT } from '../test/support/readStoreDump';
import { argNumber, median, report, result, secondsSince, settleHeap } from './lib/report';
import { generatePlant } from './lib/plantGenerator';

const EVENTS = argNumber('events', 1_000_000);
/** Measured raw read-all passes after the warming one; their median is the baseline. */
const RAW_RUNS = Math.max(1, argNumber('raw-runs', 3));
const quiet = process.argv.includes('--json');
const oneThread = process.argv.includes('--one-thread');
const storeAt = process.argv.indexOf('--store');
const kept = storeAt >= 0 ? process.argv[storeAt + 1] : undefined;
const namesAt = process.argv.indexOf('--worker-models');
/** The read models the worker rebuilds (the product's split unless --worker-models a,b,... tries another). */
const workerModels = namesAt >= 0 ? (process.argv[namesAt + 1] ?? '').split(',') : MACHINE_SIDE;
/** CPU seconds of the whole process (all threads) since `from`. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};
const say = (text: string) => !quiet && process.stderr.write(text);
const main = async (): Promise<void> => {
  const temp = makeTempDir('mes-bench-proj-');
  if (kept) mkdirSync(kept, { recursive: true });
  const eventsPath = join(kept ?? temp.dir, 'events.db');
  const reuse = kept !== undefined && existsSync(eventsPath);
  const store = createSqliteEventStore({
    path: eventsPath,
    codec: createEventCodec(loadSchemaRegistry(), upcasters),
  });
  let total: number;
  if (reuse) {
    total = Number((await store.headPosition()) ?? 0);
    say(`reusing ${eventsPath}: ${total.toLocaleString('en-US')} events\n`);
  } else {
    say(`generating a plant of ${EVENTS.toLocaleString('en-US')} events...\n`);
    total = await generatePlant(store, {
      events: EVENTS,
      onProgress: (n) => n % 100_000 < 1000 && say(`  ${n.toLocaleString('en-US')}\r`),
    });
    say(`\n`);
  }

  if (!oneThread && compiledWorker() === undefined) {
    // the product's worker is compiled JavaScript: build it rather than time ts-node loading it
    // (before the raw passes, so the build's reads do not come between them and the rebuild)
    say('building the server (npm run build:server)...\n');
    if (spawnSync('npm', ['run', 'build:server'], { stdio: 'inherit' }).status !== 0)
      throw new Error('the build failed');
  }
  /** One raw read-all of the whole log: its rate and CPU seconds. */
  const rawPass = async (): Promise<{ rate: number; cpu: number; read: number }> => {
    settleHeap();
    const readCpu = process.cpuUsage();
    const readStarted = process.hrtime.bigint();
    let after: string | undefined;
    let read = 0;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 2000 });
      read += page.events.length;
      after = page.checkpoint;
      if (page.isEnd) break;
    }
    return { rate: read / secondsSince(readStarted), cpu: cpuSince(readCpu), read };
  };
  // warms the page cache (not measured): the rebuild after it reads a warm file, so the baseline must too
  const warming = await rawPass();
  say(`raw read-all, warming pass (not measured): ${Math.round(warming.rate).toLocaleString('en-US')} events/s\n`);
  const raws: Array<{ rate: number; cpu: number; read: number }> = [];
  for (let i = 0; i < RAW_RUNS; i += 1) raws.push(await rawPass());
  const rawRate = median(raws.map((r) => r.rate));
  const rawCpu = median(raws.map((r) => r.cpu));
  const read = warming.read;
  say(
    `raw read-all, ${RAW_RUNS} warm passes: ${raws.map((r) => Math.round(r.rate).toLocaleString('en-US')).join(', ')} events/s ` +
      `(median ${Math.round(rawRate).toLocaleString('en-US')}, the baseline)\n`,
  );

  if (!oneThread) say(`worker thread: ${compiledWorker() ?? 'ts-node (no fresh dist/)'}\n`);
  const readPath = join(temp.dir, 'read.db');
  const readStore = createSqliteReadStore(readPath);
  settleHeap();
  const rebuildCpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  // when each thread's share was done (seconds from the start), to see whether the two balance
  let mainDone = 0;
  let workerDone = 0;
  const worker = rebuildInWorker({ eventsPath, readPath, plant: TEST_PLANT, names: workerModels });
  const status = await rebuildReadModels(
    { store, readStore, logger: createLogger('error') },
    createProjections(TEST_PLANT),
    ({ position }) => {
      mainDone = secondsSince(started);
      say(`  rebuilt to ${Number(position).toLocaleString('en-US')} / ${total.toLocaleString('en-US')}\r`);
    },
    oneThread
      ? {}
      : {
          elsewhere: {
            names: worker.names,
            run: (entries, options) =>
              worker.run(entries, options).finally(() => {
                workerDone = secondsSince(started);
              }),
          },
        },
  );
  const rate = total / secondsSince(started);
  const usedCpu = cpuSince(rebuildCpu);
  say('\n');
  say(
    `CPU: raw read-all ${rawCpu.toFixed(2)} s (median of the warm passes; ${Math.round(read / rawCpu).toLocaleString('en-US')} events per CPU-s), ` +
      `rebuild ${usedCpu.toFixed(2)} s (${Math.round(total / usedCpu).toLocaleString('en-US')} events per CPU-s)\n`,
  );
  if (!oneThread)
    say(
      `main thread's share (${status.filter((s) => !workerModels.includes(s.projection)).length} read models) done after ${mainDone.toFixed(1)} s, ` +
        `the worker's (${workerModels.join(', ')}) after ${workerDone.toFixed(1)} s\n`,
    );
  const failed = status.filter((s) => s.lastError);
  if (failed.length > 0) throw new Error(`projections failed: ${JSON.stringify(failed)}`);
  report(`Projection benchmark: rebuild of ${status.length} read models from ${total.toLocaleString('en-US')} events`, [
    result({
      name: `rebuild all read models (${status.map((s) => s.projection).join(', ')})`,
      value: rate,
      unit: 'events/s',
      baseline: `raw read-all of the same store (warm, median of ${RAW_RUNS})`,
      baselineValue: rawRate,
      minimumRatio: 0.5,
    }),
  ]);
  await readStore.close();
  await store.close();
  temp.remove();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
