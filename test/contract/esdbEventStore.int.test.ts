import { createEsdbEventStore } from '../../src/adapters/eventstore/esdb/esdbEventStore';
import { createTestCodec } from '../support/events';
import { eventStoreContract } from './eventStoreContract';

const url = process.env['ESDB_URL'];
if (!url) {
  console.log('  [skip] EventStoreDB contract suite: set ESDB_URL (e.g. esdb://localhost:2113?tls=false) to run it');
}

eventStoreContract('EventStoreDB', () =>
  url
    ? {
        open: async () => createEsdbEventStore({ connectionString: url, codec: createTestCodec() }),
        spec: () => ({ kind: 'esdb', connectionString: url }),
      }
    : undefined,
);
