import {
  AckPolicy,
  DeliverPolicy,
  Events,
  nanos,
  type ConsumerMessages,
  type JsMsg,
  type NatsConnection,
  type NatsError,
} from 'nats';
import type { CommandHandler, CommandResult } from '../../app/commandHandler';
import { ensureStream, publishDeadLetter } from '../natsStreams';
import { retryUntilDone } from '../../lib/retry';
import type { Logger } from '../../lib/logger';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import { IllegalStateError, NotFoundError, ValidationError } from '../../domain/errors';

export const DEVICE_STREAM = 'DEVICES';
export const DEAD_LETTER_STREAM = 'DEVICE_DEAD_LETTERS';
const SUBJECT = /^devices\.([A-Za-z0-9_-]{1,50})\.([A-Za-z0-9][A-Za-z0-9_:@-]{0,99})\.(state|energy|count|telemetry)$/;
/** Refusals that mean "already handled" when a message is replayed after a restart. */
const ORDER_RULES = new Set(['state-out-of-order', 'interval-overlap']);

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
};

type Bucket = {
  machineId: string;
  kind: 'energy' | 'count';
  start: number;
  end: number;
  kWh: number;
  total: number;
  good: number;
  product?: string;
  messages: JsMsg[];
  /** Wall-clock time of the last message that joined. */
  touched: number;
};

/** One consumer from one starting sequence; a reconnect or a restart ends it and starts the next. */
type Session = {
  messages: ConsumerMessages;
  buckets: Map<string, Bucket>;
  /** Per machine, the work in order: a machine's messages are handled one after another. */
  lanes: Map<string, Promise<void>>;
  /** Per machine, the newest device time seen: an interval closes when its machine has moved past it. */
  watermarks: Map<string, number>;
  /** Messages up to this stream sequence were delivered before (maybe handled): a replay. */
  replayUntil: number;
  replaying: boolean;
  ended: boolean;
  loop: Promise<void>;
  timer: NodeJS.Timeout;
};

const utf8 = new TextDecoder();

/**
 * Device messages from JetStream into events. A durable consumer reads `devices.<site>.<machine>.<kind>`.
 *
 * - Each message is acknowledged only after what it causes is appended, so a crash loses nothing, and
 *   event ids come from the message (its Nats-Msg-Id, else its stream sequence), so a redelivery
 *   appends nothing.
 * - Order per machine holds across crashes and reconnects: each start (and each reconnect) recreates
 *   the consumer at the first unacknowledged sequence, so what was in flight comes back in stream
 *   order before anything newer, instead of when its redelivery timer fires. Messages replayed that
 *   were handled before are recognised (a known command id, or a refusal for order) and acknowledged.
 * - State messages append a change only when the state changes. Energy and counts are summed per
 *   machine per interval of device time; an interval closes when the machine's messages have moved
 *   past its end plus the grace, or when it has been quiet for the grace after its end. A message
 *   arriving after its interval was appended is dead-lettered as late. Telemetry is validated, not stored.
 * - An invalid message, or one the domain refuses (unknown machine, out of order), goes to the
 *   dead-letter stream with the reason and the raw payload; any other failure (the store, say) is
 *   retried in place, holding back that machine's later messages, so nothing overtakes it.
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

  const deadLetter = async (m: JsMsg, reason: string): Promise<void> => {
    await publishDeadLetter(js, m, reason);
    m.ack();
    logger.warn('device message dead-lettered', { subject: m.subject, sequence: m.info.streamSequence, reason });
  };

  /** Retries in place until it succeeds or the session ends (then the next session replays the messages). */
  const persistently = async (s: Session, what: string, action: () => Promise<void>): Promise<void> => {
    await retryUntilDone(action, {
      stopped: () => s.ended,
      onError: (error) => logger.error(`${what}; retrying`, { error }),
    });
  };

  /**
   * Runs a command for messages and settles them: acknowledged when appended (or known), dead-lettered
   * when refused, retried in place on any other failure.
   */
  const settle = (s: Session, work: () => Promise<CommandResult>, batch: JsMsg[], lateReason?: string) => {
    const isReplay = (m: JsMsg) => m.info.streamSequence <= s.replayUntil;
    const replayed = batch.every(isReplay);
    /** Undefined: acknowledge all; a reason: dead-letter (for a late interval, only what was not replayed). */
    const outcome = async (): Promise<string | undefined> => {
      try {
        const result = await work();
        return lateReason && result.duplicate && !replayed ? lateReason : undefined;
      } catch (error) {
        if (error instanceof IllegalStateError && replayed && ORDER_RULES.has(error.rule)) return undefined;
        if (error instanceof ValidationError || error instanceof NotFoundError || error instanceof IllegalStateError)
          return `${error.type}: ${error.message}`;
        throw error;
      }
    };
    return persistently(s, 'device message not appended', async () => {
      const reason = await outcome();
      for (const m of batch) {
        // a replayed message of an interval already recorded was counted in it: only newer ones are late
        if (reason === undefined || (reason === lateReason && isReplay(m))) m.ack();
        else await deadLetter(m, reason);
      }
    });
  };

  const enqueue = (s: Session, machineId: string, work: () => Promise<void>): void => {
    const next = (s.lanes.get(machineId) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      logger.error('device lane failed', { machineId, error });
    });
    s.lanes.set(machineId, next);
    void next.then(() => {
      if (s.lanes.get(machineId) === next) s.lanes.delete(machineId);
    });
  };

  const reject = (s: Session, lane: string, m: JsMsg, reason: string): void =>
    enqueue(s, lane, () => persistently(s, 'dead letter not published', () => deadLetter(m, reason)));

  const closeBucket = (s: Session, key: string, bucket: Bucket): void => {
    s.buckets.delete(key);
    const interval = {
      machineId: bucket.machineId,
      intervalStart: new Date(bucket.start).toISOString(),
      intervalEnd: new Date(bucket.end).toISOString(),
    };
    const context = {
      commandId: `device:${bucket.kind}:${bucket.machineId}:${bucket.start}`,
      correlationId: `device:${bucket.machineId}`,
      source: 'device' as const,
    };
    const meta = { now: interval.intervalEnd, actor: `device:${bucket.machineId}` };
    const data =
      bucket.kind === 'energy'
        ? { ...interval, kWh: Math.round(bucket.kWh * 1e6) / 1e6 }
        : {
            ...interval,
            total: bucket.total,
            good: bucket.good,
            ...(bucket.product ? { product: bucket.product } : {}),
          };
    const type = bucket.kind === 'energy' ? 'RecordEnergy' : 'RecordCount';
    enqueue(s, bucket.machineId, () =>
      settle(
        s,
        () => commands.handle('machine', bucket.machineId, { type, data, meta } as never, context),
        bucket.messages,
        `late: the ${bucket.kind} interval ${interval.intervalStart}/${interval.intervalEnd} was already recorded`,
      ),
    );
  };

  const flush = (s: Session): void => {
    const now = Date.now();
    for (const [key, bucket] of s.buckets) {
      const passed = (s.watermarks.get(bucket.machineId) ?? 0) >= bucket.end + graceMs;
      const quiet = !s.replaying && now >= bucket.end + graceMs && now - bucket.touched >= graceMs;
      if (passed || quiet) closeBucket(s, key, bucket);
    }
  };

  const handle = (s: Session, m: JsMsg): void => {
    if (s.replaying && m.info.streamSequence >= s.replayUntil) s.replaying = false;
    const subject = SUBJECT.exec(m.subject);
    if (!subject) return reject(s, '', m, `subject ${m.subject} is not devices.<site>.<machine>.<kind>`);
    const [, site, machineId, kind] = subject as unknown as [
      string,
      string,
      string,
      'state' | 'energy' | 'count' | 'telemetry',
    ];
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(utf8.decode(m.data)) as Record<string, unknown>;
    } catch {
      return reject(s, machineId, m, 'the payload is not JSON');
    }
    const problems = schemas.check(`devices/${kind}`, payload);
    if (problems.length > 0) {
      const reason = `invalid ${kind} message: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`;
      return reject(s, machineId, m, reason);
    }
    const at = payload['at'] as string;
    const atMs = Date.parse(at);
    s.watermarks.set(machineId, Math.max(s.watermarks.get(machineId) ?? 0, atMs));
    if (kind === 'telemetry') return m.ack();
    if (kind === 'state') {
      const messageId = m.headers?.get('Nats-Msg-Id') || `seq-${m.info.streamSequence}`;
      const data = {
        machineId,
        state: payload['state'] as 'running',
        at,
        ...(payload['reasonCode'] ? { reasonCode: payload['reasonCode'] as string } : {}),
      };
      const context = {
        commandId: `device:${site}:${messageId}`,
        correlationId: `device:${machineId}`,
        source: 'device' as const,
        inputId: messageId,
      };
      const command = { type: 'ChangeMachineState' as const, data, meta: { now: at, actor: `device:${machineId}` } };
      return enqueue(s, machineId, () => settle(s, () => commands.handle('machine', machineId, command, context), [m]));
    }
    const start = Math.floor(atMs / intervalMs) * intervalMs;
    const key = `${machineId}|${kind}|${start}`;
    const bucket = s.buckets.get(key) ?? {
      machineId,
      kind,
      start,
      end: start + intervalMs,
      kWh: 0,
      total: 0,
      good: 0,
      messages: [],
      touched: 0,
    };
    bucket.kWh += (payload['kWh'] as number | undefined) ?? 0;
    bucket.total += (payload['total'] as number | undefined) ?? 0;
    bucket.good += (payload['good'] as number | undefined) ?? (payload['total'] as number | undefined) ?? 0;
    if (payload['product']) bucket.product = payload['product'] as string;
    bucket.messages.push(m);
    bucket.touched = Date.now();
    s.buckets.set(key, bucket);
  };

  /** Recreates the consumer at the first unacknowledged message; answers the last sequence delivered before. */
  const recreateConsumer = async (): Promise<{ from: number; replayUntil: number }> => {
    let from = 0;
    let replayUntil = 0;
    try {
      const info = await jsm.consumers.info(DEVICE_STREAM, durable);
      from = info.ack_floor.stream_seq + 1;
      replayUntil = info.delivered.stream_seq;
      await jsm.consumers.delete(DEVICE_STREAM, durable);
    } catch (error) {
      if ((error as NatsError).api_error?.err_code !== 10014) throw error; // anything but "consumer not found"
    }
    await jsm.consumers.add(DEVICE_STREAM, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ...(from > 1
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from }
        : { deliver_policy: DeliverPolicy.All }),
      max_ack_pending: maxInFlight,
      ack_wait: nanos(ackWaitMs),
    });
    return { from, replayUntil };
  };

  const begin = async (): Promise<Session> => {
    const { replayUntil } = await recreateConsumer();
    const consumer = await js.consumers.get(DEVICE_STREAM, durable);
    const messages = await consumer.consume({ max_messages: Math.min(maxInFlight, 1000) });
    const s = {
      messages,
      buckets: new Map(),
      lanes: new Map(),
      watermarks: new Map(),
      replayUntil,
      replaying: replayUntil > 0,
      ended: false,
    } as unknown as Session;
    s.timer = setInterval(() => flush(s), Math.max(20, Math.min(1_000, Math.floor(graceMs / 4))));
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
