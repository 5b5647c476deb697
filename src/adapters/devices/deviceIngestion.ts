import { Events, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import type { CommandContext, CommandHandler } from '../../app/commandHandler';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import { unreachable } from '../../domain/messages';
import type { Logger } from '../../lib/logger';
import { retryUntilDone } from '../../lib/retry';
import { ensureStream } from '../natsStreams';
import { recreateConsumer } from './deviceConsumer';
import { parseDeviceMessage, stateCommand } from './deviceMessages';
import { createSettlement, type SettlingSession } from './deviceSettlement';
import { createWindowing, type ClosedInterval, type Windowing } from './windowing';

export const DEVICE_STREAM = 'DEVICES';
export const DEAD_LETTER_STREAM = 'DEVICE_DEAD_LETTERS';

export type DeviceIngestionOptions = {
  nc: NatsConnection;
  commands: CommandHandler;
  schemas: SchemaRegistry;
  logger: Logger;
  /** Energy and counts are summed per machine over intervals this long (device time). Default 60 s. */
  intervalMs?: number;
  /** How long past an interval's end late messages may still join it. Default 5 s. */
  graceMs?: number;
  /**
   * Messages delivered and not yet acknowledged, at most. Aggregated messages are acknowledged when
   * their interval is appended, so this must exceed the message rate x (interval + grace). Default 50,000.
   */
  maxInFlight?: number;
  /** The durable consumer's name. Default `backbone-ingest`. */
  durable?: string;
  /** JetStream's redelivery timer. Default interval x 2 + grace + 30 s. */
  ackWaitMs?: number;
  /** The server's clock: when a message is taken in (its `receivedAt`, the bound of its device time). Default the wall clock. */
  clock?: () => Date;
};

/** One consumer from one starting sequence; a reconnect or a restart ends it and starts the next. */
type Session = SettlingSession & {
  messages: ConsumerMessages;
  windowing: Windowing<JsMsg>;
  replaying: boolean;
  loop: Promise<void>;
  timer?: NodeJS.Timeout;
};

/**
 * Device messages from JetStream into events. A durable consumer reads `devices.<site>.<machine>.<kind>`;
 * what becomes of each message (intervals, watermarks, lateness) is decided by `windowing.ts`.
 *
 * - Each message is acknowledged only after what it causes is appended, so a crash loses nothing, and
 *   event ids come from the message (its Nats-Msg-Id, else its stream sequence), so a redelivery
 *   appends nothing.
 * - Order per machine holds across crashes and reconnects: each start (and each reconnect) recreates
 *   the consumer at the first unacknowledged sequence. Messages replayed that were handled before are
 *   recognised (a known command id, or a refusal for order) and acknowledged.
 * - An invalid message, or one the domain refuses (unknown machine, out of order), or one late for an
 *   interval already recorded, goes to the dead-letter stream with the reason and the raw payload; any
 *   other failure (the store, say) is retried in place, holding back that machine's later messages.
 */
export const startDeviceIngestion = async (options: DeviceIngestionOptions) => {
  const { nc, commands, schemas, logger } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const graceMs = options.graceMs ?? 5_000;
  const durable = options.durable ?? 'backbone-ingest';
  const maxInFlight = options.maxInFlight ?? 50_000;
  const ackWaitMs = options.ackWaitMs ?? intervalMs * 2 + graceMs + 30_000;
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  await ensureStream(jsm, DEVICE_STREAM, ['devices.>'], 120_000);
  await ensureStream(jsm, DEAD_LETTER_STREAM, ['deadletter.devices.>'], 120_000);
  let stopped = false;
  let session: Session | undefined;

  const { settle, reject, late } = createSettlement({ js, logger });

  const clock = options.clock ?? (() => new Date());
  // a device time later than the server's plus the skew is refused (dead letter naming `at`)
  const context = (machineId: string, commandId: string, inputId?: string): CommandContext => ({
    commandId,
    correlationId: `device:${machineId}`,
    source: 'device',
    receivedAt: clock().toISOString(),
    clientTimeField: '/at',
    ...(inputId ? { inputId } : {}),
  });

  const append = (s: Session, interval: ClosedInterval<JsMsg>): void => {
    const { machineId, command, commandId, messages, lateReason } = interval;
    const work = () => commands.handle('machine', machineId, command, context(machineId, commandId));
    settle(s, machineId, work, messages, { lateReason, onDone: () => s.windowing.markRecorded(interval) });
  };

  const handle = (s: Session, m: JsMsg): void => {
    if (s.replaying && m.info.streamSequence >= s.replayUntil) s.replaying = false;
    const parsed = parseDeviceMessage(schemas, m.subject, m.data, m);
    if (!parsed.ok) return reject(s, parsed.machineId, m, parsed.reason);
    const { machineId } = parsed.reading;
    const admission = s.windowing.add(parsed.reading, Date.now());
    switch (admission.action) {
      case 'ack':
        return m.ack();
      case 'held':
        return;
      case 'late':
        return late(s, machineId, m, admission.reason);
      case 'pass': {
        const messageId = m.headers?.get('Nats-Msg-Id') || `seq-${m.info.streamSequence}`;
        const command = stateCommand(machineId, parsed.at, parsed.payload);
        const work = () =>
          commands.handle(
            'machine',
            machineId,
            command,
            context(machineId, `device:${parsed.site}:${messageId}`, messageId),
          );
        return settle(s, machineId, work, [m]);
      }
      default:
        return unreachable(admission);
    }
  };

  const begin = async (): Promise<Session> => {
    const { replayUntil } = await recreateConsumer(jsm, { stream: DEVICE_STREAM, durable, maxInFlight, ackWaitMs });
    const consumer = await js.consumers.get(DEVICE_STREAM, durable);
    const messages = await consumer.consume({ max_messages: Math.min(maxInFlight, 1000) });
    const s: Session = {
      messages,
      windowing: createWindowing<JsMsg>({ intervalMs, graceMs }),
      lanes: new Map(),
      replayUntil,
      replaying: replayUntil > 0,
      ended: false,
      loop: Promise.resolve(),
    };
    const tick = () => {
      for (const interval of s.windowing.closeDue(Date.now(), !s.replaying)) append(s, interval);
    };
    s.timer = setInterval(tick, Math.max(20, Math.min(1_000, Math.floor(graceMs / 4))));
    s.loop = (async () => {
      for await (const m of messages) {
        if (s.ended) break;
        try {
          handle(s, m);
        } catch (error) {
          logger.error('device message could not be handled; it will be replayed', { subject: m.subject, error });
        }
      }
    })().catch((error: unknown) => logger.error('device consumer stopped', { error }));
    if (replayUntil > 0) logger.info('device ingestion replays unacknowledged messages', { replayUntil });
    return s;
  };

  /** Ends a session: its open intervals are dropped unacknowledged (the next session replays them whole). */
  const end = async (s: Session): Promise<void> => {
    s.ended = true;
    clearInterval(s.timer);
    s.messages.stop();
    await s.loop;
    await Promise.all(s.lanes.values());
  };

  let restarting: Promise<void> = Promise.resolve();
  const restart = (): Promise<void> =>
    (restarting = restarting.then(async () => {
      if (session) await end(session);
      session = undefined;
      await retryUntilDone(
        async () => {
          session = await begin();
        },
        {
          stopped: () => stopped,
          maxMs: 5_000,
          onError: (error) => logger.warn('device consumer not ready; retrying', { error: String(error) }),
        },
      );
    }));

  session = await begin();
  void (async () => {
    for await (const status of nc.status()) {
      if (stopped) break;
      if (status.type === Events.Reconnect) {
        logger.info('nats reconnected; device ingestion resumes from the first unacknowledged message');
        void restart();
      }
    }
  })().catch((error: unknown) => logger.error('nats status watch stopped', { error }));

  return {
    /**
     * Stops. Intervals still open are not appended: their messages stay unacknowledged and come back
     * after a restart, so the interval is summed whole, once.
     */
    async stop(): Promise<void> {
      stopped = true;
      await restarting;
      if (session) await end(session);
      session = undefined;
    },
  };
};
