import { Events, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import type { CommandHandler } from '../../app/commandHandler';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import type { Logger } from '../../lib/logger';
import { retryUntilDone } from '../../lib/retry';
import { ensureStream, publishDeadLetter } from '../natsStreams';
import { createAckFloor, type AckFloor } from './ackFloor';
import { acknowledge, deliveryOf, payloadOf, recreateConsumer, type Delivery } from './deviceConsumer';
import { knownSubject, parseDeviceMessage } from './deviceMessages';
import { createDevicePipeline, type PipelineSession } from './devicePipeline';

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
type Session = PipelineSession<Delivery> & {
  messages: ConsumerMessages;
  /** Settles once the consumer has stopped. */
  loop: Promise<void>;
  timer?: NodeJS.Timeout;
  /** The messages delivered and not yet acknowledged, and the newest that may be (the floor). */
  floor: AckFloor<Delivery>;
  /** The floor's message, to acknowledge at the end of this turn of the event loop. */
  toAck?: Delivery | undefined;
  /** The newest message taken in had messages in the stream behind it, not yet delivered. */
  behind: boolean;
  /** When the newest message was delivered (wall clock, ms). */
  deliveredAt: number;
  /** A tick is due at the end of this turn of the event loop: a machine's messages passed an interval. */
  closing: boolean;
};

/**
 * Behind its stream with nothing delivered for this long, and not held at its limit, the consumer
 * takes the messages announced as gone (deleted from the stream): intervals may close for being quiet.
 */
const STALE_BACKLOG_MS = 30_000;

/**
 * Device messages from JetStream into events. A durable consumer reads `devices.<site>.<machine>.<kind>`;
 * what becomes of each message (intervals, watermarks, lateness) is decided by `windowing.ts`.
 *
 * - Each message is acknowledged only after what it causes is appended, so a crash loses nothing, and
 *   event ids come from the message (its Nats-Msg-Id, else its stream sequence), so a redelivery
 *   appends nothing. The consumer acknowledges by floor (AckPolicy.All): once per turn of the event
 *   loop, the newest message at or below which every message delivered is settled; a redelivery of a
 *   message taken in already is not taken in again.
 * - An interval closes for being quiet only while the consumer has taken in everything the stream
 *   holds (unless it is held at its limit with nothing else to settle): a consumer behind, or waiting
 *   for acknowledgements, would otherwise close intervals whose messages are still in the stream.
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
  /** The session whose messages are being settled (set before its first message is delivered). */
  let active: Session | undefined;

  const sendAck = (s: Session): void => {
    const d = s.toAck;
    s.toAck = undefined;
    try {
      if (d) acknowledge(nc, d);
    } catch (error) {
      // the connection closed: the next session starts from the server's floor and replays what follows it
      logger.warn('device acknowledgement not sent', { error: String(error) });
    }
  };

  /** Settles a message: the floor's message, when it moved, is acknowledged at the end of this turn. */
  const settled = (d: Delivery): void => {
    const s = active;
    const floor = s?.floor.settle(d);
    if (!s || !floor) return;
    if (!s.toAck) setImmediate(() => sendAck(s));
    s.toAck = floor;
  };

  const pipeline = createDevicePipeline<Delivery>({
    commands,
    logger,
    intervalMs,
    graceMs,
    clock: options.clock ?? (() => new Date()),
    ...(options.clock ? {} : { now: Date.now }),
    transport: {
      ack: settled,
      deadLetter: async (d, reason) => {
        const info = { stream: DEVICE_STREAM, streamSequence: d.sequence };
        await publishDeadLetter(js, { subject: d.subject, data: payloadOf(d), info }, reason);
        settled(d);
      },
      isReplay: (s, d) => d.sequence <= s.replayUntil,
      describe: (d) => ({ subject: d.subject, sequence: d.sequence }),
    },
  });

  const handle = (s: Session, m: JsMsg): void => {
    const data = m.data;
    // the subject's text as kept since its first message: the message's own dies young, not copied while in flight
    const d = deliveryOf(m, data, knownSubject(m.subject));
    // redelivered (its acknowledgement timer ran out) while this session holds it: settled with the first copy
    if (!s.floor.deliver(d)) return;
    s.behind = d.pending > 0;
    s.deliveredAt = Date.now();
    if (s.replaying && d.sequence >= s.replayUntil) s.replaying = false;
    try {
      const parsed = parseDeviceMessage(schemas, d.subject, data, d);
      pipeline.take(s, parsed, d, () => m.headers?.get('Nats-Msg-Id') || `seq-${d.sequence}`);
      // an interval its machine's messages have passed closes at the end of this turn, not at the next
      // timer tick (up to tickMs later): its messages, held until then, are acknowledged that much sooner
      if (s.windowing.due && !s.closing) {
        s.closing = true;
        setImmediate(() => {
          s.closing = false;
          if (!s.ended) pipeline.tick(s, backlog(s));
        });
      }
    } catch (error) {
      // not taken in: its redelivery (after ack_wait) will be
      s.floor.failed(d);
      throw error;
    }
  };

  /** Messages wait in the stream for this session: no interval closes for being quiet. */
  const backlog = (s: Session): boolean => {
    if (!s.behind) return false;
    // held at its limit: it waits while the lanes settle; with nothing in them, only closing intervals frees it
    if (s.floor.size >= maxInFlight) return s.lanes.size > 0;
    return Date.now() - s.deliveredAt < STALE_BACKLOG_MS;
  };

  const begin = async (): Promise<Session> => {
    const { replayUntil } = await recreateConsumer(jsm, { stream: DEVICE_STREAM, durable, maxInFlight, ackWaitMs });
    const consumer = await js.consumers.get(DEVICE_STREAM, durable);
    /** The session, once made; what is delivered before (none expected) is kept in order, not dropped. */
    const made: { session?: Session } = {};
    const early: JsMsg[] = [];
    const take = (session: Session, m: JsMsg): void => {
      if (session.ended) return;
      try {
        handle(session, m);
      } catch (error) {
        logger.error('device message could not be handled; it will be replayed', { subject: m.subject, error });
      }
    };
    // a callback, not the async iterator: no promise, iterator result or generator step per message
    // (about a fifth of what ingestion allocated); handle never throws into nats.js, which would stop the consumer
    const messages = await consumer.consume({
      max_messages: Math.min(maxInFlight, 1000),
      callback: (m) => {
        if (made.session) take(made.session, m);
        else early.push(m);
      },
    });
    const started: Session = {
      ...pipeline.session(replayUntil),
      messages,
      loop: Promise.resolve(),
      floor: createAckFloor((d: Delivery) => d.sequence),
      behind: false,
      deliveredAt: Date.now(),
      closing: false,
    };
    active = started;
    started.timer = setInterval(() => pipeline.tick(started, backlog(started)), pipeline.tickMs);
    started.loop = messages
      .closed()
      .then((error) => {
        if (error) logger.error('device consumer stopped', { error });
      })
      .catch((error: unknown) => logger.error('device consumer stopped', { error }));
    made.session = started;
    for (const m of early.splice(0)) take(started, m);
    if (replayUntil > 0) logger.info('device ingestion replays unacknowledged messages', { replayUntil });
    return started;
  };

  /** Ends a session: its open intervals are dropped unacknowledged (the next session replays them whole). */
  const end = async (s: Session): Promise<void> => {
    s.ended = true;
    clearInterval(s.timer);
    s.messages.stop();
    await s.loop;
    await pipeline.end(s);
    // what its lanes settled is acknowledged before the consumer is made again from the server's floor
    sendAck(s);
    await nc.flush().catch(() => undefined);
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
