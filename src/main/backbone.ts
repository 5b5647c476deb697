import { setCursorKey } from '../app/readStore';
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
import { loadCardKeys } from './cardKey';
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
import { startProof, type RunningProof } from './proof';
import { listen, readSecretFile } from './httpServer';
import { prepareDataFolder } from './dataFolder';
import { natsConnectionOptions } from './natsConnection';
import type { ReadStore } from '../app/readStore';
import { robotDestination, alertFeed } from '../adapters/integration/robots';
import { alertSubscriptionsOf } from '../app/alertSubscriptions';
import { createAlertQueries } from '../projections/alertQueries';
import { sqliteConnectionOf, startWalCheckpoints } from './walCheckpoints';

export type Backbone = {
  store: EventStore;
  services: Services;
  readStore: ReadStore;
  readModels: ReadModelsRuntime;
  /** The notary signing the log's Merkle root and its witnesses. */
  proof: RunningProof;
  /** People, sessions, keys, devices and the security trail (the demo sets up its plant's people through it). */
  security: SecurityApi;
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  /** The alerts' outbox (group robots), when ALERTS_FILE names any. */
  alertOutbox?: { rows(): { destination: string; delivered_at: string | null; attempts: number }[] };
  /** The OPC UA client, when OPCUA_FILE (or the demo) names machines: monitored once `ready`; the totals taken per machine. */
  opcua?: {
    ready(): Promise<void>;
    taken(machineId: string): Partial<Record<'partCounter' | 'goodCounter' | 'energyMeter', number>>;
  };
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
  const hmacKey = config.outbound.hmacKeyFile
    ? readSecretFile(config.outbound.hmacKeyFile, 'OUTBOUND_HMAC_KEY_FILE')
    : undefined;
  const outboundCredentials = (tokenFile: string | undefined, variable: string) => ({
    ...(tokenFile ? { token: readSecretFile(tokenFile, variable) } : {}),
    ...(hmacKey ? { hmacKey } : {}),
  });
  prepareDataFolder(config.dataDir, logger);
  const store = await createEventStore(config.eventStore, createEventCodec(schemas, upcasters));
  const checkpoints = createSqliteCheckpointStore(join(config.dataDir, 'checkpoints.db'));
  const { keys: cardKey, cursorKey } = loadCardKeys(config.cardKey, config.dataDir, {
    windowHours: config.cardKeyRotationWindowHours,
    warn: (message, fields) => logger.warn(message, fields),
  });
  const services = await startServices({
    store,
    checkpoints,
    logger,
    cardKey,
    clock,
    overdueIntervalMs: options.overdueIntervalMs ?? config.overdueCheckSeconds * 1000,
    clientClockSkewMs: config.clientClockSkewSeconds * 1000,
    alerts: { machineDownMinutes: config.alerts.machineDownMinutes, timeZone: config.timeZone },
  });
  // NATS only when configured: device ingestion and publication of every event to backend teams
  const nats = config.natsUrl
    ? await startNats(natsConnectionOptions(config.natsUrl, config.natsAuth, 'mes-backbone', logger), {
        store,
        checkpoints,
        logger,
        commands: services.commands,
        schemas,
        devices: config.devices,
        clock,
      })
    : undefined;
  // OPC UA machines (OPCUA_FILE) into the same device pipeline; dead letters to NATS's stream when there is one
  // (node-opcua is loaded only then)
  const opcuaAdapter = config.opcua.length > 0 ? await import('../adapters/devices/opcuaIngestion') : undefined;
  const opcua = opcuaAdapter
    ? await opcuaAdapter.startOpcuaIngestion({
        machines: config.opcua,
        commands: services.commands,
        schemas,
        logger,
        checkpoints,
        deadLetters: nats ? opcuaAdapter.natsDeadLetters(nats.nc.jetstream()) : opcuaAdapter.loggedDeadLetters(logger),
        intervalMs: config.devices.intervalMs,
        graceMs: config.devices.graceMs,
        clock,
      })
    : undefined;
  // the ERP and WMS bridges' outbox, when something receives its messages
  const destinations = [
    ...(nats ? [await natsDestination(nats.nc)] : []),
    ...(config.erpOutboundUrl
      ? [
          httpDestination(
            'erp',
            config.erpOutboundUrl,
            outboundCredentials(config.outbound.erpTokenFile, 'ERP_OUTBOUND_TOKEN_FILE'),
          ),
        ]
      : []),
    ...(config.wmsOutboundUrl
      ? [
          httpDestination(
            'wms',
            config.wmsOutboundUrl,
            outboundCredentials(config.outbound.wmsTokenFile, 'WMS_OUTBOUND_TOKEN_FILE'),
          ),
        ]
      : []),
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
  // the alerts' outbox, when ALERTS_FILE names group robots: its own file, its own checkpoint
  const robots = (config.alerts.settings.webhooks ?? []).map((webhook, index) =>
    robotDestination({
      name: webhook.name ?? `alert-${webhook.kind}-${index + 1}`,
      kind: webhook.kind,
      url: webhook.url,
      alerts: webhook.alerts,
      ...(webhook.secretFile ? { secret: readSecretFile(webhook.secretFile, 'ALERTS_FILE') } : {}),
    }),
  );
  const alertOutbox =
    robots.length > 0
      ? await startOutbox({
          store,
          path: join(config.dataDir, 'alerts-outbox.db'),
          destinations: robots,
          logger,
          retry: { baseMs: config.outboxRetrySeconds * 1000 },
          feed: alertFeed,
        })
      : undefined;
  const proof = await startProof({
    config: config.proof,
    dataDir: config.dataDir,
    store,
    logger,
    ...(nats ? { nc: nats.nc } : {}),
  });
  // page cursors are signed with the card key file's cursor key (made from the first card key, kept
  // through rotations): valid across restarts and rotations, not craftable
  setCursorKey(cursorKey);
  const readStore = await openReadStore(config, { live: true });
  const plant = plantOf(config, schemas);
  const readModels = await startReadModels(
    { store, readStore, logger },
    createProjections(plant, { telemetryRetention: config.telemetryRetention }),
  );
  // the busy SQLite files' WAL checkpointed off the event loop (none with EventStoreDB and MongoDB)
  const walCheckpoints = startWalCheckpoints(
    [store, readStore, proof].flatMap((holder) => sqliteConnectionOf(holder) ?? []),
    logger,
  );
  const queries = createReadModelQueries(readStore, plant, clock, {
    maintenanceDueSoonHours: config.maintenanceDueSoonHours,
  });
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
  const idempotency = createIdempotencyStore(join(config.dataDir, 'api.db'), {
    retentionMs: config.http.idempotencyRetentionHours * 3_600_000,
  });
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
    // the robots' delivery beside the ERP's and the WMS's (GET /api/integration/outbox)
    ...(outbox || alertOutbox
      ? { outbox: { status: () => [...(outbox?.status() ?? []), ...(alertOutbox?.status() ?? [])] } }
      : {}),
    idempotency,
    clock,
    proof: proof.reader,
    streamLimits: config.http.streams,
    alerts: {
      queries: createAlertQueries(readStore),
      subscriptions: alertSubscriptionsOf(config.alerts.settings),
    },
    exposure: {
      publicDocs: config.http.publicDocs,
      ...(config.http.metricsTokenFile
        ? { metricsToken: readSecretFile(config.http.metricsTokenFile, 'METRICS_TOKEN_FILE') }
        : {}),
    },
  });
  const server = await listen(api.app, config);
  const port = (server.address() as AddressInfo).port;
  logger.info('backbone started', {
    port,
    tls: config.http.tls !== undefined,
    eventStore: config.eventStore.kind,
    dataDir: config.dataDir,
    timeZone: config.timeZone,
  });
  return {
    store,
    services,
    readStore,
    readModels,
    proof,
    security: security.api,
    server,
    port,
    ...(alertOutbox ? { alertOutbox } : {}),
    ...(opcua ? { opcua } : {}),
    async close() {
      const stopping = stopHttp(server);
      api.endStreams();
      await stopping;
      idempotency.close();
      await security.close();
      await outbox?.stop();
      await alertOutbox?.stop();
      await proof.stop();
      await walCheckpoints.stop();
      await opcua?.stop();
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
