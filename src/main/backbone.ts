import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from '../api/app';
import type { SecurityApi } from '../api/security';
import { createIdempotencyStore } from '../api/idempotency';
import { createReadModelQueries } from '../projections/queries';
import { createEventCodec } from '../adapters/eventstore/eventCodec';
import { upcasters } from '../domain/upcasters';
import { createSqliteCheckpointStore } from '../adapters/checkpoints/sqliteCheckpointStore';
import { loadCardKey } from './cardKey';
import type { Config } from './config';
import { createEventStore } from './createEventStore';
import type { EventStore } from '../app/eventStore';
import type { Logger } from '../lib/logger';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { startServices, type Services } from './services';
import { startNats } from './nats';
import { httpDestination, natsDestination } from '../adapters/integration/destinations';
import { startOutbox } from '../adapters/integration/outbox';
import { readB2mmlSchedule } from '../adapters/erp/b2mml';
import { createProjections } from '../projections';
import { startReadModels, type ReadModelsRuntime } from '../projections/manager';
import { openReadStore, plantOf } from './readSide';
import { startSecurity } from './security';
import type { ReadStore } from '../app/readStore';

export type Backbone = {
  store: EventStore;
  services: Services;
  readStore: ReadStore;
  readModels: ReadModelsRuntime;
  /** People, sessions, keys, devices and the security trail (the demo sets up its plant's people through it). */
  security: SecurityApi;
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  /** Stops taking requests, lets in-flight ones finish, then closes the stores. */
  close(): Promise<void>;
};

/** Stops taking requests and lets those in flight finish, closing what remains after a grace period. */
const stopHttp = (server: Server, graceMs = 10_000): Promise<void> =>
  new Promise<void>((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });

/** The composition root: one process with its stores and its HTTP API. */
export type BackboneOptions = {
  /** The clock commands are stamped with. Default: the wall clock; the demo runs an accelerated one. */
  clock?: () => Date;
  /** How often the overdue clock looks, overriding OVERDUE_CHECK_SECONDS. */
  overdueIntervalMs?: number;
};

export const startBackbone = async (
  config: Config,
  schemas: SchemaRegistry,
  logger: Logger,
  options: BackboneOptions = {},
): Promise<Backbone> => {
  const clock = options.clock ?? (() => new Date());
  mkdirSync(config.dataDir, { recursive: true });
  const store = await createEventStore(config.eventStore, createEventCodec(schemas, upcasters));
  const checkpoints = createSqliteCheckpointStore(join(config.dataDir, 'checkpoints.db'));
  const cardKey = loadCardKey(config.cardKey, config.dataDir);
  const services = await startServices({
    store,
    checkpoints,
    logger,
    cardKey,
    clock,
    overdueIntervalMs: options.overdueIntervalMs ?? config.overdueCheckSeconds * 1000,
    clientClockSkewMs: config.clientClockSkewSeconds * 1000,
  });
  // NATS only when configured: device ingestion and publication of every event to backend teams
  const nats = config.natsUrl
    ? await startNats(config.natsUrl, {
        store,
        checkpoints,
        logger,
        commands: services.commands,
        schemas,
        devices: config.devices,
        clock,
      })
    : undefined;
  // the ERP and WMS bridges' outbox, when something receives its messages
  const destinations = [
    ...(nats ? [await natsDestination(nats.nc)] : []),
    ...(config.erpOutboundUrl ? [httpDestination('erp', config.erpOutboundUrl)] : []),
    ...(config.wmsOutboundUrl ? [httpDestination('wms', config.wmsOutboundUrl)] : []),
  ];
  const outbox =
    destinations.length > 0
      ? await startOutbox({
          store,
          path: join(config.dataDir, 'outbox.db'),
          destinations,
          logger,
          retry: { baseMs: config.outboxRetrySeconds * 1000 },
        })
      : undefined;
  const readStore = await openReadStore(config);
  const plant = plantOf(config, schemas);
  const readModels = await startReadModels({ store, readStore, logger }, createProjections(plant));
  const queries = createReadModelQueries(readStore, plant);
  const security = await startSecurity({
    config,
    store,
    schemas,
    logger,
    // badges from the employee master data (the read model), the accounts' own badge ids beside them
    employeesWithBadge: async (badgeId) =>
      (await queries.master.list('employee', { active: true, fields: { badgeId }, limit: 10 })).items.map(
        (employee) => employee.code,
      ),
  });
  const idempotency = createIdempotencyStore(join(config.dataDir, 'api.db'));
  const api = createApi({
    store,
    logger,
    readModels,
    queries,
    commands: services.commands,
    scans: services.scans,
    cardKey,
    schemas,
    readSchedule: readB2mmlSchedule(schemas),
    security: security.api,
    ...(config.security.trustProxy ? { trustProxy: config.security.trustProxy } : {}),
    ...(outbox ? { outbox } : {}),
    idempotency,
    clock,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = api.app.listen(config.port, config.host, () => resolve(listening));
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
    security: security.api,
    server,
    port,
    async close() {
      const stopping = stopHttp(server);
      api.endStreams();
      await stopping;
      idempotency.close();
      await security.close();
      await outbox?.stop();
      await nats?.stop();
      await services.stop();
      await readModels.stop();
      await readStore.close();
      await checkpoints.close();
      await store.close();
      logger.info('backbone stopped');
    },
  };
};
