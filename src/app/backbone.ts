import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from '../api/app';
import { createEventCodec } from '../adapters/eventstore/eventCodec';
import { upcasters } from '../domain/upcasters';
import type { Config } from './config';
import { createEventStore } from './createEventStore';
import type { EventStore } from './eventStore';
import type { Logger } from './logger';
import type { SchemaRegistry } from './schemaRegistry';

export type Backbone = {
  store: EventStore;
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  /** Stops taking requests, lets in-flight ones finish, then closes the stores. */
  close(): Promise<void>;
};

/** The composition root: one process with its stores and its HTTP API. */
export const startBackbone = async (config: Config, schemas: SchemaRegistry, logger: Logger): Promise<Backbone> => {
  if (config.eventStore.kind === 'sqlite') mkdirSync(config.dataDir, { recursive: true });
  const store = await createEventStore(config.eventStore, createEventCodec(schemas, upcasters));
  const app = createApi({ store, logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, () => resolve(listening));
    listening.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info('backbone started', {
    port,
    eventStore: config.eventStore.kind,
    dataDir: config.dataDir,
    timeZone: config.timeZone,
  });
  return {
    store,
    server,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await store.close();
      logger.info('backbone stopped');
    },
  };
};
