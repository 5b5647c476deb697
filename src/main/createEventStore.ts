import type { EventStore } from '../app/eventStore';
import type { EventCodec } from '../adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../adapters/eventstore/sqlite/sqliteEventStore';

/** Which event store a process opens: the embedded file, or an EventStoreDB server. */
export type EventStoreSpec =
  { kind: 'sqlite'; path: string; pollIntervalMs?: number } | { kind: 'esdb'; connectionString: string };

export const createEventStore = async (spec: EventStoreSpec, codec: EventCodec): Promise<EventStore> => {
  switch (spec.kind) {
    case 'sqlite':
      return createSqliteEventStore({ path: spec.path, codec, pollIntervalMs: spec.pollIntervalMs });
    case 'esdb': {
      // loaded on demand: the embedded default never pays for the gRPC client
      const { createEsdbEventStore } = await import('../adapters/eventstore/esdb/esdbEventStore');
      return createEsdbEventStore({ connectionString: spec.connectionString, codec });
    }
    default: {
      const unknown: never = spec;
      throw new Error(`unknown event store ${JSON.stringify(unknown)}`);
    }
  }
};
