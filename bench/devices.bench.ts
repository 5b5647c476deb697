// npm run bench:devices [-- --json] [-- --runs N] [-- --messages N] [-- --cpu-prof-dir DIR]
// Device messages from 500 simulated machines through a real nats-server (JetStream, file storage):
// ingested end to end (published to the stream, appended to the SQLite event store, acknowledged)
// beside a raw JetStream consumer that only acknowledges the same messages, reading them as the ingestion
// does (a consume callback), in the same run; and, for comparison, the same consumer through the consume
// iterator (the earlier rounds' baseline). The ingestion's rate is also given up to the last message
// delivered, beside the time after it until the last was acknowledged.
// The backlog ends as a running plant's next second would: each machine sends one more message (telemetry
// without values, a heartbeat, which the ingestion takes as moving the machine's device time only) past
// its last interval's end and the grace, and the last intervals close on it, as every earlier interval
// closes on its machine's later messages. Until 2026-12-01 the backlog ended without it: its last
// intervals could close only once the wall clock had seen the grace (1 s) without a message, a wait a
// plant that keeps sending never gives its ingestion, fixed per backlog whatever its length (0.398 of
// the raw consumer counting it, 0.547 up to the last message delivered, on the quiet Xeon). The
// ingestion's work is all still timed: the heartbeats are validated and acknowledged, and every interval
// is closed, appended and acknowledged before the run ends; the raw consumer reads the heartbeats too.
// --cpu-prof-dir: a V8 CPU profile of each ingestion phase alone (summarise with bench/lib/cpuProfile.ts).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join, resolve } from 'node:path';
import { natsOptionsFromUrl } from '../src/main/natsConnection';
import { AckPolicy, DeliverPolicy, StorageType, connect, headers, nanos, type NatsConnection } from 'nats';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { DEAD_LETTER_STREAM, DEVICE_STREAM, startDeviceIngestion } from '../src/adapters/devices/deviceIngestion';
import { createCommandHandler } from '../src/app/commandHandler';
import { createLogger } from '../src/lib/logger';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { upcasters } from '../src/domain/upcasters';
import { registerMachines } from '../test/support/fixtures';
import { startNatsServer } from '../test/support/natsServer';
import { makeTempDir } from '../test/support/tmp';
import { argNumber, paired, report, result, secondsSince } from './lib/report';

const runs = argNumber('runs', 3);
const profileAt = process.argv.indexOf('--cpu-prof-dir');
const profileDir = profileAt >= 0 ? resolve(process.argv[profileAt + 1] as string) : undefined;
const MESSAGES = argNumber('messages', 200_000);
const MACHINE_IDS = Array.from({ length: 500 }, (_, i) => `M${String(i + 1).padStart(3, '0')}`);
const T0 = Date.parse('2026-11-25T06:00:00Z');
const INTERVAL_MS = 10_000;
const GRACE_MS = 1_000;

const temp = makeTempDir('mes-bench-devices-');
const schemas = loadSchemaRegistry();
const encoder = new TextEncoder();

/**
 * The messages of a plant: every second of device time each machine sends a count, an energy reading
 * and telemetry, and every 10th second a state change. Returns the number of messages published.
 */
const publishPlant = async (nc: NatsConnection, run: number): Promise<{ count: number; perSecond: number }> => {
  const jsm = await nc.jetstreamManager();
  const started = process.hrtime.bigint();
  let count = 0;
  let tick = 0;
  // as devices do: core NATS publishes that the stream captures, flushed every few thousand
  for (; count < MESSAGES; tick += 1) {
    const at = new Date(T0 + tick * 1_000).toISOString();
    for (const m of MACHINE_IDS) {
      const kinds: [string, unknown][] = [
        ['count', { total: 2, good: 2, at }],
        ['energy', { kWh: 0.004, at }],
        ['telemetry', { at, values: { spindleTempC: 40 + (tick % 7) } }],
      ];
      if (tick % 10 === 0) kinds.push(['state', { state: (tick / 10) % 2 === 0 ? 'running' : 'idle', at }]);
      for (const [kind, payload] of kinds) {
        if (count >= MESSAGES) break;
        const h = headers();
        h.set('Nats-Msg-Id', `r${run}-${m}-${kind}-${tick}`);
        nc.publish(`devices.bench.${m}.${kind}`, encoder.encode(JSON.stringify(payload)), { headers: h });
        count += 1;
        if (count % 2_000 === 0) await nc.flush();
      }
    }
  }
  // every machine's next message, as a running plant sends it: its device time past the last interval's
  // end and the grace, it closes that interval as each message closes the ones before (see the header)
  const lastEnd = (Math.floor(((tick - 1) * 1_000) / INTERVAL_MS) + 1) * INTERVAL_MS;
  const closingAt = new Date(T0 + lastEnd + GRACE_MS).toISOString();
  for (const m of MACHINE_IDS) {
    const h = headers();
    h.set('Nats-Msg-Id', `r${run}-${m}-closing`);
    nc.publish(`devices.bench.${m}.telemetry`, encoder.encode(JSON.stringify({ at: closingAt })), { headers: h });
    count += 1;
  }
  await nc.flush();
  const deadline = Date.now() + 30_000;
  for (let stored = 0; stored < count;) {
    if (Date.now() > deadline) throw new Error(`the stream holds ${stored} of ${count} messages published`);
    await new Promise((r) => setTimeout(r, 10));
    stored = (await jsm.streams.info(DEVICE_STREAM)).state.messages;
  }
  return { count, perSecond: count / secondsSince(started) };
};

/** This process's CPU time (user + system) in ms: nats-server's is not in it. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
};

/** A measured phase: its rate, and this process's CPU time per 1,000 messages. */
type Phase = { perSecond: number; cpuPerThousand: number };

/**
 * The rate until the last message was delivered, and the time after it: closing the last intervals
 * (at the next tick once the closing messages have passed the grace) and appending and acknowledging them.
 */
type IngestPhase = Phase & { deliveredPerSecond: number; tailMs: number };

/** Runs `work` under the V8 profiler when --cpu-prof-dir is given, writing `<dir>/<name>.cpuprofile`. */
const profiled = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  if (!profileDir) return work();
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((done, fail) => session.post(method, (error, answer) => (error ? fail(error) : done(answer))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
};

/**
 * Waits until the consumer has delivered and seen acknowledged every message; answers when it was first
 * seen with none left to deliver (to the 20 ms of a poll): when the last message reached this process.
 */
const drained = async (nc: NatsConnection, durable: string): Promise<bigint> => {
  const jsm = await nc.jetstreamManager();
  let allDelivered: bigint | undefined;
  for (;;) {
    const info = await jsm.consumers.info(DEVICE_STREAM, durable);
    if (info.num_pending === 0) {
      allDelivered ??= process.hrtime.bigint();
      if (info.num_ack_pending === 0) return allDelivered;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * A consumer that only acknowledges: what JetStream and the client cost without the backbone, in pulls
 * of 1,000. `callback` reads as the ingestion reads (the baseline); `iterator` through the consume
 * iterator, the baseline of earlier rounds, kept for comparison: its promise and generator step per
 * message cost the raw side about 6 ms per 1,000 messages.
 */
const rawConsumer = async (nc: NatsConnection, count: number, mode: 'callback' | 'iterator'): Promise<Phase> => {
  const durable = `raw-${mode}`;
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.delete(DEVICE_STREAM, durable).catch(() => undefined);
  await jsm.consumers.add(DEVICE_STREAM, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: 50_000,
    ack_wait: nanos(60_000),
  });
  const consumer = await nc.jetstream().consumers.get(DEVICE_STREAM, durable);
  const started = process.hrtime.bigint();
  const cpuAtStart = cpuMs();
  let acked = 0;
  if (mode === 'callback') {
    let all!: () => void;
    const done = new Promise<void>((resolve) => (all = resolve));
    const messages = await consumer.consume({
      max_messages: 1000,
      callback: (m) => {
        m.ack();
        if ((acked += 1) === count) all();
      },
    });
    await done;
    await drained(nc, durable);
    messages.stop();
  } else {
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const m of messages) {
      m.ack();
      if ((acked += 1) >= count) break;
    }
    await drained(nc, durable);
    messages.stop();
  }
  const seconds = secondsSince(started);
  const cpu = cpuMs() - cpuAtStart;
  await jsm.consumers.delete(DEVICE_STREAM, durable);
  return { perSecond: count / seconds, cpuPerThousand: (cpu / count) * 1_000 };
};

const ingest = async (nc: NatsConnection, run: number, count: number): Promise<IngestPhase> => {
  const store = createSqliteEventStore({
    path: join(temp.dir, `events-${run}.db`),
    codec: createEventCodec(schemas, upcasters),
  });
  const commands = createCommandHandler({ store });
  await registerMachines(commands, MACHINE_IDS);
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.delete(DEVICE_STREAM, 'backbone-ingest').catch(() => undefined);
  const started = process.hrtime.bigint();
  const cpuAtStart = cpuMs();
  const ingestion = await profiled(`ingest-${run}`, async () => {
    const running = await startDeviceIngestion({
      nc,
      commands,
      schemas,
      logger: createLogger('error'),
      intervalMs: INTERVAL_MS,
      graceMs: GRACE_MS,
    });
    return { running, allDelivered: await drained(nc, 'backbone-ingest') };
  });
  const seconds = secondsSince(started);
  const delivered = Number(ingestion.allDelivered - started) / 1e9;
  const cpu = cpuMs() - cpuAtStart;
  await ingestion.running.stop();
  const appended = await store.headPosition();
  await store.close();
  const { messages: dead, first_seq: first } = (await jsm.streams.info(DEAD_LETTER_STREAM)).state;
  // a fast run that dead-lettered or appended nothing would measure nothing
  if (!appended || dead > 0) {
    const letter = dead > 0 ? await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq: first }) : undefined;
    const why = letter ? ` (the first: ${letter.subject}, ${letter.header.get('Mes-Reason')})` : '';
    throw new Error(`the run is not valid: ${dead} dead letters${why}, head ${String(appended)}`);
  }
  return {
    perSecond: count / seconds,
    cpuPerThousand: (cpu / count) * 1_000,
    deliveredPerSecond: count / delivered,
    tailMs: (seconds - delivered) * 1_000,
  };
};

const main = async (): Promise<void> => {
  const nats = await startNatsServer();
  const nc = await connect(natsOptionsFromUrl(nats.url));
  const jsm = await nc.jetstreamManager();
  let publishRate = 0;
  let run = 0;
  try {
    const fresh = async () => {
      await jsm.streams.delete(DEVICE_STREAM).catch(() => undefined);
      await jsm.streams.add({
        name: DEVICE_STREAM,
        subjects: ['devices.>'],
        storage: StorageType.File,
        duplicate_window: nanos(120_000),
      });
      run += 1;
      const published = await publishPlant(nc, run);
      publishRate = Math.max(publishRate, published.perSecond);
      return published.count;
    };
    // each turn publishes the plant's messages afresh, then times the raw consumer and the ingestion on them
    let count = 0;
    // CPU per message, the least of the runs: what this process spends, less noisy than the rates on a busy machine
    const cpu = { ingest: Infinity, raw: Infinity, rawIterator: Infinity };
    let rawIteratorRate = 0;
    // the rate until the last message was delivered, and the wait after it, of the run with the best rate
    let split = { deliveredPerSecond: 0, tailMs: 0, perSecond: 0 };
    const figures = await paired(
      runs,
      async () => {
        const phase = await ingest(nc, run, count);
        cpu.ingest = Math.min(cpu.ingest, phase.cpuPerThousand);
        if (phase.perSecond > split.perSecond) split = phase;
        return phase.perSecond;
      },
      async () => {
        const phase = await rawConsumer(nc, (count = await fresh()), 'callback');
        cpu.raw = Math.min(cpu.raw, phase.cpuPerThousand);
        const iterator = await rawConsumer(nc, count, 'iterator');
        cpu.rawIterator = Math.min(cpu.rawIterator, iterator.cpuPerThousand);
        rawIteratorRate = Math.max(rawIteratorRate, iterator.perSecond);
        return phase.perSecond;
      },
    );
    report(`Device ingestion: ${MACHINE_IDS.length} machines, ${count.toLocaleString('en-US')} messages a run`, [
      result({
        name: 'device messages ingested end to end (appended and acked)',
        value: figures.value,
        unit: 'msg/s',
        baseline: 'raw JetStream consumer, ack only (consume callback)',
        baselineValue: figures.baselineValue,
        // issue 19: at least 0.6 of the raw consumer (it was 0.4)
        minimumRatio: 0.6,
        minimumValue: 20_000,
      }),
      // what the ingestion spends after the last message was delivered: the last intervals closed and appended
      result({
        name: 'the same run, until the last message was delivered (before the last intervals are appended)',
        value: split.deliveredPerSecond,
        unit: 'msg/s',
        baseline: 'raw JetStream consumer, ack only (consume callback)',
        baselineValue: figures.baselineValue,
      }),
      result({
        name: 'the same run, after the last message was delivered until all were acknowledged',
        value: split.tailMs,
        unit: 'ms',
        baseline: 'the grace a plant that stops sending waits for in addition',
        baselineValue: GRACE_MS,
      }),
      result({
        name: 'messages published and stored in the stream (before the runs)',
        value: publishRate,
        unit: 'msg/s',
        baseline: 'raw JetStream consumer, ack only (consume callback)',
        baselineValue: figures.baselineValue,
      }),
      result({
        name: 'CPU of this process per 1,000 messages ingested (least of the runs)',
        value: cpu.ingest,
        unit: 'ms',
        baseline: 'raw JetStream consumer, ack only (consume callback)',
        baselineValue: cpu.raw,
      }),
      // for comparison with earlier rounds, whose baseline read through the consume iterator
      result({
        name: 'device messages ingested end to end, against the earlier baseline',
        value: figures.value,
        unit: 'msg/s',
        baseline: 'raw consumer, ack only, through the consume iterator',
        baselineValue: rawIteratorRate,
      }),
    ]);
  } finally {
    await nc.close();
    await nats.stop();
    temp.remove();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
