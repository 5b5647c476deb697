import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from '../api/app';
import { createEventCodec } from '../adapters/eventstore/eventCodec';
import { upcasters } from '../domain/upcasters';
import { createSqliteCheckpointStore } from '../adapters/checkpoints/sqliteCheckpointStore';
import { loadCardKey } from './cardKey';
import type { Config } from './config';
import { createEventStore } from './createEventStore';
import type { EventStore } from './eventStore';
import type { Logger } from './logger';
import type { SchemaRegistry } from './schemaRegistry';
import { startServices, type Services } from './services';
import { createProjections } from '../projections';
import { startReadModels, type ReadModelsRuntime } from '../projections/manager';
import { openReadStore, plantOf } from './readSide';
import type { ReadStore } from './readStore';

export type Backbone = {
  store: EventStore;
  services: Services;
  readStore: ReadStore;
  readModels: ReadModelsRuntime;
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  /** Stops taking requests, lets in-flight ones finish, then closes the stores. */
  close(): Promise<void>;
};

/** The composition root: one process with its stores and its HTTP API. */
export const startBackbone = async (config: Config, schemas: SchemaRegistry, logger: Logger): Promise<Backbone> => {
  mkdirSync(config.dataDir, { recursive: true });
  const store = await createEventStore(config.eventStore, createEventCodec(schemas, upcasters));
  const checkpoints = createSqliteCheckpointStore(join(config.dataDir, 'checkpoints.db'));
  const services = await startServices({
    store,
    checkpoints,
    logger,
    cardKey: loadCardKey(config.cardKey, config.dataDir),
    clock: () => new Date(),
    overdueIntervalMs: config.overdueCheckSeconds * 1000,
  });
  const readStore = await openReadStore(config);
  const readModels = await startReadModels({ store, readStore, logger }, createProjections(plantOf(config, schemas)));
  const app = createApi({ store, logger, readModels });
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
    services,
    readStore,
    readModels,
    server,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await services.stop();
      await readModels.stop();
      await readStore.close();
      await checkpoints.close();
      await store.close();
      logger.info('backbone stopped');
    },
  };
};
