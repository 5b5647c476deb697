import { join } from 'node:path';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createTestCodec } from '../support/events';
import { makeTempDir } from '../support/tmp';
import { eventStoreContract } from './eventStoreContract';

const temp = makeTempDir('mes-store-');
after(() => temp.remove());
const path = join(temp.dir, 'events.db');

eventStoreContract('SQLite (embedded)', () => ({
  open: async () => createSqliteEventStore({ path, codec: createTestCodec(), pollIntervalMs: 50 }),
  spec: () => ({ kind: 'sqlite', path, pollIntervalMs: 50 }),
}));
