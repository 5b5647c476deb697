import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import type { PlantConfig } from '../../src/app/plant';
import type { ReadStore } from '../../src/app/readStore';
import { createLogger } from '../../src/lib/logger';
import { createProjections } from '../../src/projections';
import { startReadModels } from '../../src/projections/manager';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import { openPlantStore } from './plantDay';
import { makeTempDir } from './tmp';

/** An event as a worked example writes it: its stream, type, data, when and by whom. */
export type LoggedEvent = { stream: string; type: string; data: Record<string, unknown>; at: string; actor?: string };

/**
 * Appends the events to a fresh SQLite log (validated against schemas/ like any other), runs every
 * projection over it and gives the queries; `close` removes it all.
 */
export const projectLog = async (
  plant: PlantConfig,
  events: LoggedEvent[],
  now: Date,
): Promise<{ q: ReadModelQueries; readStore: ReadStore; close: () => Promise<void> }> => {
  const temp = makeTempDir('mes-log-');
  const store = openPlantStore(temp.dir);
  for (const e of events)
    await store.append(e.stream, [
      {
        id: randomUUID(),
        type: e.type,
        data: e.data,
        metadata: {
          occurredAt: e.at,
          actor: e.actor ?? 'tester',
          source: 'api',
          correlationId: randomUUID(),
          causationId: randomUUID(),
        },
      },
    ]);
  const readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
  const runtime = await startReadModels({ store, readStore, logger: createLogger('error') }, createProjections(plant));
  await runtime.idle();
  const failed = (await runtime.status()).filter((s) => s.lastError);
  if (failed.length > 0) throw new Error(`projections failed: ${JSON.stringify(failed.map((s) => s.lastError))}`);
  return {
    q: createReadModelQueries(readStore, plant, () => now),
    readStore,
    close: async () => {
      await runtime.stop();
      await readStore.close();
      await store.close();
      temp.remove();
    },
  };
};
