// npm run bench:projections [-- --json] [-- --events N] [-- --store DIR] [-- --one-thread]
// Rebuilds every read model from a generated plant of 1,000,000 events, beside raw read-all of the
// same store in the same run. Target (issue 19): at least half the raw read-all rate.
// The rebuild is the product's (npm run projections:rebuild, src/main/readSide.ts rebuildElsewhere):
// the machine-side read models and genealogy (oee, carbon, genealogy) in a worker thread beside the others
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
import { argNumber, report, result, secondsSince } from './lib/report';
import { generatePlant } from './lib/plantGenerator';

const EVENTS = argNumber('events', 1_000_000);
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
  const rawRate = read / secondsSince(readStarted);
  const rawCpu = cpuSince(readCpu);

  if (!oneThread && compiledWorker() === undefined) {
    // the product's worker is compiled JavaScript: build it rather than time ts-node loading it
    say('building the server (npm run build:server)...\n');
    if (spawnSync('npm', ['run', 'build:server'], { stdio: 'inherit' }).status !== 0)
      throw new Error('the build failed');
  }
  if (!oneThread) say(`worker thread: ${compiledWorker() ?? 'ts-node (no fresh dist/)'}\n`);
  const readPath = join(temp.dir, 'read.db');
  const readStore = createSqliteReadStore(readPath);
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
    `CPU: raw read-all ${rawCpu.toFixed(2)} s (${Math.round(read / rawCpu).toLocaleString('en-US')} events per CPU-s), ` +
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
      baseline: 'raw read-all of the same store',
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
