import { connect, type ConnectionOptions } from 'nats';
import { startDeviceIngestion } from '../adapters/devices/deviceIngestion';
import { startCloudEventsPublisher } from '../adapters/publish/cloudEvents';
import { startInbound } from '../adapters/integration/inbound';
import type { CheckpointStore } from '../app/checkpoints';
import type { CommandHandler } from '../app/commandHandler';
import type { EventStore } from '../app/eventStore';
import type { Logger } from '../lib/logger';
import type { SchemaRegistry } from '../app/schemaRegistry';

/** The NATS side of a process: device ingestion, ERP/WMS inbound messages and CloudEvents publication, on one connection. */
export const startNats = async (
  connection: ConnectionOptions,
  deps: {
    store: EventStore;
    checkpoints: CheckpointStore;
    logger: Logger;
    commands: CommandHandler;
    schemas: SchemaRegistry;
    devices?: { intervalMs: number; graceMs: number; maxInFlight: number };
    /** The backbone's clock (the demo's runs fast): device times are bounded by it. */
    clock?: () => Date;
  },
) => {
  const nc = await connect({ ...connection, maxReconnectAttempts: -1 });
  const ingestion = await startDeviceIngestion({
    nc,
    commands: deps.commands,
    schemas: deps.schemas,
    logger: deps.logger,
    ...deps.devices,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const publisher = await startCloudEventsPublisher({
    nc,
    store: deps.store,
    checkpoints: deps.checkpoints,
    logger: deps.logger,
  });
  const inbound = await startInbound({
    nc,
    commands: deps.commands,
    schemas: deps.schemas,
    logger: deps.logger,
  });
  deps.logger.info('nats connected', {
    url: nc.getServer(),
    devices: 'devices.>',
    events: 'mes.events.>',
    inbound: 'mes.in.>',
  });
  return {
    nc,
    async stop(): Promise<void> {
      await ingestion.stop();
      await inbound.stop();
      await publisher.stop();
      await nc.drain();
    },
  };
};
