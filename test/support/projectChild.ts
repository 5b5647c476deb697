// A projection process for the crash test: builds the read models and prints how far it got; the
// parent kills it with SIGKILL in the middle.
import { writeSync } from 'node:fs';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../../src/lib/logger';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createProjections } from '../../src/projections';
import { startReadModels } from '../../src/projections/manager';
import { upcasters } from '../../src/domain/upcasters';
import { TEST_PLANT } from './readStoreDump';

const main = async (): Promise<void> => {
  const [eventsPath, readPath, batchSize] = process.argv.slice(2) as [string, string, string];
  const store = createSqliteEventStore({ path: eventsPath, codec: createEventCodec(loadSchemaRegistry(), upcasters) });
  const readStore = createSqliteReadStore(readPath);
  // each committed batch prints its position: the parent kills the process part-way through the log
  await startReadModels({ store, readStore, logger: createLogger('error') }, createProjections(TEST_PLANT), {
    batchSize: Number(batchSize),
    onBatch: ({ position }) => writeSync(1, `committed ${Number(position)}\n`),
  });
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
