// npm run bench:projections [-- --json] [-- --events N]
// Rebuilds every read model from a generated plant of 1,000,000 events, beside raw read-all of the
// same store in the same run. Target (issue 19): at least half the raw read-all rate.
import { join } from 'node:path';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../src/lib/logger';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { upcasters } from '../src/domain/upcasters';
import { createProjections } from '../src/projections';
import { rebuildReadModels } from '../src/projections/manager';
import { makeTempDir } from '../test/support/tmp';
import { TEST_PLANT } from '../test/support/readStoreDump';
import { argNumber, report, result, secondsSince } from './lib/report';
import { generatePlant } from './lib/plantGenerator';

const EVENTS = argNumber('events', 1_000_000);
const quiet = process.argv.includes('--json');
const say = (text: string) => !quiet && process.stderr.write(text);

const main = async (): Promise<void> => {
  const temp = makeTempDir('mes-bench-proj-');
  const store = createSqliteEventStore({
    path: join(temp.dir, 'events.db'),
    codec: createEventCodec(loadSchemaRegistry(), upcasters),
  });
  say(`generating a plant of ${EVENTS.toLocaleString('en-US')} events...\n`);
  const total = await generatePlant(store, {
    events: EVENTS,
    onProgress: (n) => n % 100_000 < 1000 && say(`  ${n.toLocaleString('en-US')}\r`),
  });
  say(`\n`);

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

  const readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
  const started = process.hrtime.bigint();
  const status = await rebuildReadModels(
    { store, readStore, logger: createLogger('error') },
    createProjections(TEST_PLANT),
    ({ position }) =>
      say(`  rebuilt to ${Number(position).toLocaleString('en-US')} / ${total.toLocaleString('en-US')}\r`),
  );
  const rate = total / secondsSince(started);
  say('\n');
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
