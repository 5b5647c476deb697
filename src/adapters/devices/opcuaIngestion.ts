import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { format } from 'node:util';
import {
  AttributeIds,
  OPCUAClient,
  setErrorLogger,
  setWarningLogger,
  TimestampsToReturn,
  UserTokenType,
  type ClientSession,
  type DataValue,
  type UserIdentityInfo,
} from 'node-opcua';
import { headers as natsHeaders, type JetStreamClient } from 'nats';
import type { CheckpointStore } from '../../app/checkpoints';
import type { CommandHandler } from '../../app/commandHandler';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import type { ConfigOpcuaMachine } from '../../domain/generated';
import type { Logger } from '../../lib/logger';
import { retryUntilDone } from '../../lib/retry';
import { checkDevicePayload, type ParsedDeviceMessage } from './deviceMessages';
import { createDevicePipeline, type PipelineSession } from './devicePipeline';
import { sinceLast } from './totals';
import type { DeviceKind } from './windowing';

/** Where a reading refused is kept with its reason (the NATS dead-letter stream when NATS is configured). */
export type DeadLetterSink = (letter: {
  subject: string;
  data: Uint8Array;
  reason: string;
  id: string;
}) => Promise<void>;

/** Dead letters into the devices' dead-letter stream (`deadletter.devices.<site>.<machine>.<kind>`), as NATS messages' are. */
export const natsDeadLetters =
  (js: JetStreamClient): DeadLetterSink =>
  async ({ subject, data, reason, id }) => {
    const h = natsHeaders();
    h.set('Mes-Reason', reason.slice(0, 1_000));
    h.set('Mes-Original-Subject', subject);
    h.set('Nats-Msg-Id', `dead-${id}`);
    await js.publish(`deadletter.${subject}`, data, { headers: h });
  };

/** Without NATS: a dead letter is an error in the log, with its payload. */
export const loggedDeadLetters =
  (logger: Logger): DeadLetterSink =>
  async ({ subject, data, reason, id }) => {
    logger.error('opc ua reading dead-lettered', { subject, id, reason, payload: new TextDecoder().decode(data) });
  };

/** One reading taken from a monitored item: its subject and payload as a NATS device message would carry them. */
type OpcuaMessage = {
  subject: string;
  data: Uint8Array;
  id: string;
  /** Once appended or dead-lettered: the totals it consumed are recorded as the machine's last. */
  settled?: () => void;
};

export type OpcuaIngestionOptions = {
  machines: ConfigOpcuaMachine[];
  commands: CommandHandler;
  schemas: SchemaRegistry;
  logger: Logger;
  /** The counters' last totals, per machine, kept across restarts (`opcua:<machine>:<counter>`). */
  checkpoints: CheckpointStore;
  deadLetters: DeadLetterSink;
  /** Reads a file the configuration names (passwords, keys). */
  readFile?: (path: string) => string;
  intervalMs?: number;
  graceMs?: number;
  clock?: () => Date;
  /** The first reconnection delay; it doubles up to 10 s. Default 250 ms. */
  reconnectDelayMs?: number;
};

type Counter = 'partCounter' | 'goodCounter' | 'energyMeter';
const COUNTERS: Counter[] = ['partCounter', 'goodCounter', 'energyMeter'];

const round = (value: number): number => Math.round(value * 1e6) / 1e6;
const utf8 = new TextEncoder();

/** A variant's value as a number where it is one (Int64 and UInt64 come as [high, low]), else as it came. */
const numeric = (value: unknown): unknown =>
  Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')
    ? (value[0] as number) * 2 ** 32 + (value[1] as number)
    : value;

const isTotal = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

type MachineRun = {
  machine: ConfigOpcuaMachine;
  /** In memory: the totals the readings taken so far consumed; durable: those settled (checkpoints). */
  last: Partial<Record<Counter, number>>;
  /** The part and good counters' newest totals, not yet counted. */
  partsNow?: number;
  goodNow?: number;
  /** Parts counted and not credited good yet (a good part seen before its part waits for it). */
  slack: number;
  /** A count of the part and good counters is due once this publication's changes are in. */
  flushing: boolean;
  /** Per state or telemetry node, the newest source time taken (a value sent again after a reconnect is skipped). */
  seen: Map<string, number>;
  seq: number;
  client?: OPCUAClient;
  session?: ClientSession;
};

/**
 * OPC UA machines into the device pipeline, as a client (node-opcua): per machine one session and one
 * subscription monitoring its nodes. Each change becomes the device message NATS would carry
 * (`devices/<kind>` checked, windowed, appended in the machine's lane, dead-lettered with the reason).
 *
 * - Counters (parts, good parts, energy) are read as totals: a change counts what was made since the
 *   last total, stamped when it is taken in; a total going down is a reset, counting the new total.
 *   The last totals are saved once what they caused is appended, so a restart counts from there:
 *   nothing is lost (unsaved readings are counted again from the next total) nor counted twice.
 * - A lost connection is reconnected by node-opcua, which re-creates the session and subscription;
 *   the first total after it counts everything made while cut off.
 */
export const startOpcuaIngestion = async (options: OpcuaIngestionOptions) => {
  const { commands, schemas, logger, checkpoints, deadLetters } = options;
  const clock = options.clock ?? (() => new Date());
  const graceMs = options.graceMs ?? 5_000;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  // node-opcua's own warnings and errors (reconnection chatter, certificates) into the log, not the console
  setWarningLogger((...args: unknown[]) => logger.debug('node-opcua', { message: format(...args) }));
  setErrorLogger((...args: unknown[]) => logger.warn('node-opcua', { message: format(...args) }));
  const pipeline = createDevicePipeline<OpcuaMessage>({
    commands,
    logger,
    intervalMs: options.intervalMs ?? 60_000,
    graceMs,
    clock,
    transport: {
      ack: (m) => m.settled?.(),
      deadLetter: async (m, reason) => {
        await deadLetters({ subject: m.subject, data: m.data, reason, id: m.id });
        m.settled?.();
      },
      isReplay: () => false,
      describe: (m) => ({ subject: m.subject, id: m.id, source: 'opcua' }),
    },
  });
  const s: PipelineSession<OpcuaMessage> = pipeline.session(0);
  const timer = setInterval(() => pipeline.tick(s), pipeline.tickMs);
  let stopped = false;

  const saveTotals = (run: MachineRun, totals: Partial<Record<Counter, number>>): void => {
    for (const [counter, total] of Object.entries(totals))
      checkpoints
        .save(`opcua:${run.machine.machineId}:${counter}`, String(total))
        .catch((error: unknown) => logger.error('opc ua total not saved', { machineId: run.machine.machineId, error }));
  };

  /** Takes one payload in through the pipeline; `valid` runs once it passed its schema. */
  const take = (
    run: MachineRun,
    kind: DeviceKind,
    payload: Record<string, unknown>,
    options: { id?: string; refused?: string; valid?: (m: OpcuaMessage) => void } = {},
  ): void => {
    const { machineId, site } = run.machine;
    run.seq += 1;
    const m: OpcuaMessage = {
      subject: `devices.${site}.${machineId}.${kind}`,
      data: utf8.encode(JSON.stringify(payload)),
      id: options.id ?? `opcua:${machineId}:${kind}:${clock().getTime()}:${run.seq}`,
    };
    const parsed: ParsedDeviceMessage<OpcuaMessage> = options.refused
      ? { ok: false, machineId, reason: options.refused }
      : checkDevicePayload(schemas, { site, machineId, kind }, payload, m);
    if (parsed.ok) options.valid?.(m);
    pipeline.take(s, parsed, m, () => m.id);
  };

  const sourceTime = (value: DataValue): Date => value.sourceTimestamp ?? value.serverTimestamp ?? clock();

  /** A state or telemetry value: skipped when not newer than the one taken before (sent again after a reconnect). */
  const fresh = (run: MachineRun, nodeId: string, at: Date): boolean => {
    const before = run.seen.get(nodeId);
    if (before !== undefined && at.getTime() <= before) return false;
    run.seen.set(nodeId, at.getTime());
    return true;
  };

  const onState = (run: MachineRun, nodeId: string, map: Record<string, string>, value: DataValue): void => {
    const at = sourceTime(value);
    if (!fresh(run, nodeId, at)) return;
    const raw = numeric(value.value.value);
    const state = map[String(raw)];
    const id = `opcua:${run.machine.machineId}:state:${at.getTime()}`;
    if (state === undefined)
      return take(
        run,
        'state',
        { value: raw, at: at.toISOString() },
        {
          id,
          refused: `state value ${JSON.stringify(raw)} of ${nodeId} is not in the state map`,
        },
      );
    take(run, 'state', { state, at: at.toISOString() }, { id });
  };

  const onTelemetry = (run: MachineRun, signal: string, nodeId: string, value: DataValue): void => {
    const at = sourceTime(value);
    const first = !run.seen.has(nodeId);
    if (!fresh(run, nodeId, at)) return;
    // the value read at connection, sampled before this run (and maybe taken by the one before): not a new sample
    if (first && at.getTime() < clock().getTime() - graceMs) return;
    take(run, 'telemetry', { values: { [signal]: numeric(value.value.value) }, at: at.toISOString() });
  };

  /** A counter's total: the first ever seen is the baseline; later ones count what was made since. */
  const onTotal = (run: MachineRun, counter: Counter, value: DataValue): void => {
    const raw = numeric(value.value.value);
    const at = clock().toISOString();
    const kind = counter === 'energyMeter' ? 'energy' : 'count';
    const field = counter === 'energyMeter' ? 'kWh' : 'total';
    const last = run.last[counter];
    if (!isTotal(raw) || (counter !== 'energyMeter' && !Number.isInteger(raw))) {
      // refused by its schema with the reason: not a number, negative, a fraction of a part
      if (counter === 'goodCounter') return take(run, 'count', { total: 0, good: raw, at });
      return take(run, kind, { [field]: raw, at });
    }
    if (counter === 'energyMeter') {
      if (last === undefined) {
        run.last.energyMeter = raw;
        return saveTotals(run, { energyMeter: raw });
      }
      const added = round(sinceLast(last, raw));
      if (added === 0) return;
      return take(
        run,
        'energy',
        { kWh: added, at },
        {
          valid: (m) => {
            run.last.energyMeter = raw;
            m.settled = () => saveTotals(run, { energyMeter: raw });
          },
        },
      );
    }
    if (counter === 'partCounter') run.partsNow = raw;
    else run.goodNow = raw;
    // the part and good counters' changes of one publication are counted together
    if (!run.flushing) {
      run.flushing = true;
      setImmediate(() => {
        run.flushing = false;
        if (!stopped) countParts(run);
      });
    }
  };

  /**
   * Counts the parts and good parts since the last totals. Good parts are credited up to the parts
   * counted (those not yet credited, `slack`), so a good part seen before its part waits for it.
   */
  const countParts = (run: MachineRun): void => {
    const at = clock().toISOString();
    const baseline: Partial<Record<Counter, number>> = {};
    if (run.last.partCounter === undefined && run.partsNow !== undefined) baseline.partCounter = run.partsNow;
    if (run.last.goodCounter === undefined && run.goodNow !== undefined) baseline.goodCounter = run.goodNow;
    if (Object.keys(baseline).length > 0) {
      Object.assign(run.last, baseline);
      saveTotals(run, baseline);
    }
    const { partsNow, goodNow } = run;
    const partsLast = run.last.partCounter;
    const goodLast = run.last.goodCounter;
    const added = partsNow !== undefined && partsLast !== undefined ? sinceLast(partsLast, partsNow) : 0;
    const counted: Partial<Record<Counter, number>> = partsNow === undefined ? {} : { partCounter: partsNow };
    let good: number | undefined;
    if (run.machine.nodes.goodCounter !== undefined) {
      good = 0;
      if (goodNow !== undefined && goodLast !== undefined) {
        good = Math.min(sinceLast(goodLast, goodNow), added + run.slack);
        counted.goodCounter = goodNow >= goodLast ? goodLast + good : good;
      }
    }
    if (added === 0 && !good) return;
    const credited = good ?? added;
    take(
      run,
      'count',
      { total: added, ...(good === undefined ? {} : { good }), at },
      {
        valid: (m) => {
          Object.assign(run.last, counted);
          run.slack += added - credited;
          m.settled = () => saveTotals(run, counted);
        },
      },
    );
  };

  const identity = (machine: ConfigOpcuaMachine): UserIdentityInfo => {
    const user = machine.user;
    if (!user) return { type: UserTokenType.Anonymous };
    if ('userName' in user)
      return { type: UserTokenType.UserName, userName: user.userName, password: readFile(user.passwordFile).trim() };
    return {
      type: UserTokenType.Certificate,
      certificateData: new X509Certificate(readFile(user.certificateFile)).raw,
      privateKey: readFile(user.privateKeyFile),
    };
  };

  /** Connects (node-opcua retries without end), opens the session and monitors the machine's nodes. */
  const connect = async (run: MachineRun): Promise<void> => {
    const { machine } = run;
    const delay = options.reconnectDelayMs ?? 250;
    const client = OPCUAClient.create({
      applicationName: 'mes-backbone',
      endpointMustExist: false,
      securityMode: machine.securityMode ?? 'None',
      securityPolicy: machine.securityPolicy ?? 'None',
      connectionStrategy: { maxRetry: -1, initialDelay: delay, maxDelay: Math.max(delay, 10_000) },
      keepSessionAlive: true,
      ...(machine.clientCertificate
        ? {
            certificateFile: machine.clientCertificate.certificateFile,
            privateKeyFile: machine.clientCertificate.privateKeyFile,
          }
        : {}),
    });
    run.client = client;
    client.on('connection_lost', () =>
      logger.warn('opc ua connection lost; reconnecting', { machineId: machine.machineId }),
    );
    client.on('after_reconnection', () =>
      logger.info('opc ua reconnected; the subscription is re-created', { machineId: machine.machineId }),
    );
    await client.connect(machine.endpointUrl);
    if (stopped) return;
    const session = await client.createSession(identity(machine));
    run.session = session;
    const samplingInterval = machine.samplingInterval ?? 1_000;
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: samplingInterval,
      requestedLifetimeCount: 600,
      requestedMaxKeepAliveCount: 20,
      maxNotificationsPerPublish: 1_000,
      publishingEnabled: true,
      priority: 10,
    });
    const monitor = async (nodeId: string, changed: (value: DataValue) => void): Promise<void> => {
      const item = await subscription.monitor(
        { nodeId, attributeId: AttributeIds.Value },
        { samplingInterval, discardOldest: true, queueSize: 100 },
        TimestampsToReturn.Both,
      );
      item.on('changed', (value: DataValue) => {
        if (stopped) return;
        if (!value.statusCode.isGood()) {
          logger.warn('opc ua value not good; skipped', {
            machineId: machine.machineId,
            nodeId,
            status: value.statusCode.name,
          });
          return;
        }
        try {
          changed(value);
        } catch (error) {
          logger.error('opc ua value could not be taken in', { machineId: machine.machineId, nodeId, error });
        }
      });
    };
    const { nodes } = machine;
    if (nodes.state) {
      const { nodeId, map } = nodes.state;
      await monitor(nodeId, (value) => onState(run, nodeId, map, value));
    }
    for (const counter of COUNTERS) {
      const nodeId = nodes[counter];
      if (nodeId !== undefined) await monitor(nodeId, (value) => onTotal(run, counter, value));
    }
    for (const [signal, nodeId] of Object.entries(nodes.telemetry ?? {}))
      await monitor(nodeId, (value) => onTelemetry(run, signal, nodeId, value));
    logger.info('opc ua machine monitored', { machineId: machine.machineId, endpointUrl: machine.endpointUrl });
  };

  const runs: MachineRun[] = [];
  for (const machine of options.machines) {
    const last: MachineRun['last'] = {};
    for (const counter of COUNTERS) {
      const saved = await checkpoints.load(`opcua:${machine.machineId}:${counter}`);
      if (saved !== undefined) last[counter] = Number(saved);
    }
    runs.push({ machine, last, seen: new Map(), seq: 0, slack: 0, flushing: false });
  }
  // in the background: a machine that cannot be reached yet does not hold back the start
  const started = runs.map((run) =>
    retryUntilDone(
      async () => {
        await run.client?.disconnect();
        await connect(run);
      },
      {
        stopped: () => stopped,
        maxMs: 10_000,
        onError: (error) =>
          logger.warn('opc ua machine not monitored yet; retrying', {
            machineId: run.machine.machineId,
            error: String(error),
          }),
      },
    ).catch((error: unknown) => logger.error('opc ua machine given up', { machineId: run.machine.machineId, error })),
  );

  return {
    /** Resolves once every machine is monitored (for tests and the start log). */
    ready: (): Promise<void> => Promise.all(started).then(() => undefined),
    /**
     * Stops: intervals still open are not appended and their totals not saved, so the next start
     * counts their parts from the last saved totals.
     */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await Promise.all(
        runs.map(async (run) => {
          try {
            await run.client?.disconnect();
          } catch (error) {
            logger.warn('opc ua client not closed cleanly', { machineId: run.machine.machineId, error: String(error) });
          }
        }),
      );
      await Promise.all(started);
      await pipeline.end(s);
    },
  };
};
