// A device-ingestion process for the crash test: consumes devices.> into the SQLite store and prints
// 'ready'; the parent kills it with SIGKILL mid-stream and starts it again.
import { writeSync } from 'node:fs';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { connect } from 'nats';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { startDeviceIngestion } from '../../src/adapters/devices/deviceIngestion';
import { createCommandHandler } from '../../src/app/commandHandler';
import { createLogger } from '../../src/lib/logger';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';

const main = async (): Promise<void> => {
  const [natsUrl, eventsPath, intervalMs, graceMs] = process.argv.slice(2) as [string, string, string, string];
  const schemas = loadSchemaRegistry();
  const store = createSqliteEventStore({ path: eventsPath, codec: createEventCodec(schemas, upcasters) });
  const nc = await connect(natsOptionsFromUrl(natsUrl));
  await startDeviceIngestion({
    nc,
    commands: createCommandHandler({ store }),
    schemas,
    logger: createLogger('error'),
    intervalMs: Number(intervalMs),
    graceMs: Number(graceMs),
  });
  writeSync(1, 'ready\n');
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
