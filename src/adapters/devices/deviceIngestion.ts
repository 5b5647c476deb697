import {
  AckPolicy,
  DeliverPolicy,
  StorageType,
  headers as natsHeaders,
  nanos,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { CommandHandler } from '../../app/commandHandler';
import type { Logger } from '../../app/logger';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import { isKnownError } from '../../domain/errors';

export const DEVICE_STREAM = 'DEVICES';
export const DEAD_LETTER_STREAM = 'DEVICE_DEAD_LETTERS';
const SUBJECT = /^devices\.([A-Za-z0-9_-]{1,50})\.([A-Za-z0-9][A-Za-z0-9_:@-]{0,99})\.(state|energy|count|telemetry)$/;

export type DeviceIngestionOptions = {
  nc: NatsConnection;
  commands: CommandHandler;
  schemas: SchemaRegistry;
  logger: Logger;
  /** Energy and counts are summed per machine over intervals this long. Default 60 s. */
  intervalMs?: number;
  /** How long after an interval ends late messages may still join it. Default 5 s. */
  graceMs?: number;
  /** Messages delivered and not yet acknowledged, at most. Default 1000. */
  maxInFlight?: number;
  /** The durable consumer's name. Default `backbone-ingest`. */
  durable?: string;
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
};

/**
 * Device messages from JetStream into events. A durable consumer reads `devices.<site>.<machine>.<kind>`;
 * each message is acknowledged only after what it causes is appended, so a crash loses nothing, and
 * event ids come from the message (its Nats-Msg-Id, else its stream sequence), so a redelivery appends
 * nothing. State messages append a change only when the state changes; energy and counts are summed
 * per machine per interval and held until the interval closes; telemetry is validated, not stored. An
 * invalid message, or one the domain refuses (unknown machine, out of order), goes to the dead-letter
 * stream with the reason and the raw payload, and never stops the consumer.
 */
export const startDeviceIngestion = async (options: DeviceIngestionOptions) => {
  const { nc, commands, schemas, logger } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const graceMs = options.graceMs ?? 5_000;
  const durable = options.durable ?? 'backbone-ingest';
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const ensure = async (name: string, subjects: string[]) => {
    try {
      await jsm.streams.info(name);
    } catch {
      await jsm.streams.add({ name, subjects, storage: StorageType.File, duplicate_window: nanos(120_000) });
    }
  };
  await ensure(DEVICE_STREAM, ['devices.>']);
  await ensure(DEAD_LETTER_STREAM, ['deadletter.devices.>']);
  try {
    await jsm.consumers.info(DEVICE_STREAM, durable);
  } catch {
    await jsm.consumers.add(DEVICE_STREAM, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: options.maxInFlight ?? 1000,
      // aggregated messages wait for their interval to close before they are acknowledged
      ack_wait: nanos(intervalMs * 2 + graceMs + 30_000),
    });
  }
  const consumer = await js.consumers.get(DEVICE_STREAM, durable);
  const messages = await consumer.consume({ max_messages: Math.min(options.maxInFlight ?? 1000, 500) });
  const buckets = new Map<string, Bucket>();
  let stopped = false;

  const deadLetter = async (m: JsMsg, reason: string): Promise<void> => {
    const h = natsHeaders();
    h.set('Mes-Reason', reason.slice(0, 500));
    h.set('Mes-Original-Subject', m.subject);
    h.set('Mes-Original-Sequence', String(m.info.streamSequence));
    h.set('Nats-Msg-Id', `dead-${m.info.streamSequence}`);
    await js.publish(`deadletter.${m.subject}`, m.data, { headers: h });
    m.ack();
    logger.warn('device message dead-lettered', { subject: m.subject, sequence: m.info.streamSequence, reason });
  };

  /** A domain refusal dead-letters the messages; any other failure leaves them for redelivery. */
  const settle = async (work: () => Promise<unknown>, batch: JsMsg[]): Promise<void> => {
    try {
      await work();
      for (const m of batch) m.ack();
    } catch (error) {
      if (isKnownError(error)) for (const m of batch) await deadLetter(m, `${error.type}: ${error.message}`);
      else {
        logger.error('device message failed; it will be redelivered', { error });
        for (const m of batch) m.nak(1_000);
      }
    }
  };

  const flush = async (): Promise<void> => {
    const now = Date.now();
    for (const [key, bucket] of buckets) {
      if (bucket.end + graceMs > now) continue;
      buckets.delete(key);
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
      await settle(
        () =>
          bucket.kind === 'energy'
            ? commands.handle(
                'machine',
                bucket.machineId,
                { type: 'RecordEnergy', data: { ...interval, kWh: Math.round(bucket.kWh * 1e6) / 1e6 }, meta },
                context,
              )
            : commands.handle(
                'machine',
                bucket.machineId,
                {
                  type: 'RecordCount',
                  data: {
                    ...interval,
                    total: bucket.total,
                    good: bucket.good,
                    ...(bucket.product ? { product: bucket.product } : {}),
                  },
                  meta,
                },
                context,
              ),
        bucket.messages,
      );
    }
  };
  const timer = setInterval(
    () => void flush().catch((error: unknown) => logger.error('device flush failed', { error })),
    Math.max(50, Math.floor(intervalMs / 4)),
  );

  const handle = async (m: JsMsg): Promise<void> => {
    const subject = SUBJECT.exec(m.subject);
    if (!subject) return deadLetter(m, `subject ${m.subject} is not devices.<site>.<machine>.<kind>`);
    const [, site, machineId, kind] = subject as unknown as [
      string,
      string,
      string,
      'state' | 'energy' | 'count' | 'telemetry',
    ];
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>;
    } catch {
      return deadLetter(m, 'the payload is not JSON');
    }
    const problems = schemas.check(`devices/${kind}`, payload);
    if (problems.length > 0)
      return deadLetter(m, `invalid ${kind} message: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    const messageId = m.headers?.get('Nats-Msg-Id') || `seq-${m.info.streamSequence}`;
    const at = payload['at'] as string;
    if (kind === 'telemetry') return m.ack();
    if (kind === 'state') {
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
      return settle(
        () =>
          commands.handle(
            'machine',
            machineId,
            { type: 'ChangeMachineState', data, meta: { now: at, actor: `device:${machineId}` } },
            context,
          ),
        [m],
      );
    }
    const start = Math.floor(Date.parse(at) / intervalMs) * intervalMs;
    const key = `${machineId}|${kind}|${start}`;
    const bucket = buckets.get(key) ?? {
      machineId,
      kind,
      start,
      end: start + intervalMs,
      kWh: 0,
      total: 0,
      good: 0,
      messages: [],
    };
    bucket.kWh += (payload['kWh'] as number | undefined) ?? 0;
    bucket.total += (payload['total'] as number | undefined) ?? 0;
    bucket.good += (payload['good'] as number | undefined) ?? (payload['total'] as number | undefined) ?? 0;
    if (payload['product']) bucket.product = payload['product'] as string;
    bucket.messages.push(m);
    buckets.set(key, bucket);
  };

  const loop = (async () => {
    for await (const m of messages) {
      if (stopped) break;
      try {
        await handle(m);
      } catch (error) {
        // even the dead-letter publish can fail: the message comes back, the consumer goes on
        logger.error('device message could not be handled; it will be redelivered', { subject: m.subject, error });
        m.nak(1_000);
      }
    }
  })().catch((error: unknown) => logger.error('device ingestion stopped', { error }));

  return {
    /**
     * Stops. Intervals still open are not appended: their messages stay unacknowledged and come back
     * after a restart, so the interval is summed whole, once.
     */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      messages.stop();
      await loop;
    },
  };
};
