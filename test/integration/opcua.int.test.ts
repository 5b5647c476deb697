import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  SecurityPolicy,
  type OPCUAServerOptions,
} from 'node-opcua';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { DEAD_LETTER_STREAM } from '../../src/adapters/devices/deviceIngestion';
import { natsDeadLetters, startOpcuaIngestion } from '../../src/adapters/devices/opcuaIngestion';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { ensureStream } from '../../src/adapters/natsStreams';
import type { CheckpointStore } from '../../src/app/checkpoints';
import { createCommandHandler, type CommandHandler } from '../../src/app/commandHandler';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import type { ConfigOpcuaMachine } from '../../src/domain/generated';
import { upcasters } from '../../src/domain/upcasters';
import { createLogger } from '../../src/lib/logger';
import { startBackbone } from '../../src/main/backbone';
import { loadConfig } from '../../src/main/config';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { opcuaMachineServer } from '../../src/simulator/opcuaMachine';
import { freePort } from '../support/backboneProcess';
import { registerMachines } from '../support/fixtures';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

/** A press: what it has made and drawn, kept by the machine whether its OPC UA server is up or not. */
type Press = { parts: number; good: number; kWh: number; state: number; vibration: number };
type Signal = keyof Press;
const TYPES: Record<Signal, DataType> = {
  parts: DataType.UInt32,
  good: DataType.UInt32,
  kWh: DataType.Double,
  state: DataType.Int32,
  vibration: DataType.Double,
};
const NAMES: Record<Signal, string> = {
  parts: 'PartCounter',
  good: 'GoodCounter',
  kWh: 'EnergyMeter',
  state: 'State',
  vibration: 'Vibration',
};

/** The press's OPC UA server (a real node-opcua server) over its values; it may be stopped and started again. */
const pressServer = (port: number, press: Press, options: OPCUAServerOptions = { allowAnonymous: true }) => {
  const server = opcuaMachineServer<Signal>({
    port,
    resourcePath: 'press',
    device: 'Press1',
    variables: Object.fromEntries(
      (Object.keys(TYPES) as Signal[]).map((s) => [s, { name: NAMES[s], dataType: TYPES[s] }]),
    ) as Record<Signal, { name: string; dataType: DataType }>,
    initial: press,
    server: options,
  });
  return {
    start: () => server.start(),
    stop: () => server.stop(),
    /** The machine changes a value; its server (when up) shows it. */
    set(signal: Signal, value: number) {
      press[signal] = value;
      server.set(signal, value);
    },
  };
};

const node = (signal: Signal) => `ns=1;s=Press1.${NAMES[signal]}`;

describe('OPC UA machines into the device pipeline (a real node-opcua server, SQLite store, nats-server for dead letters)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-opcua-');
  const schemas = loadSchemaRegistry();
  const logger = createLogger(process.env['OPCUA_TEST_LOG'] === 'warn' ? 'warn' : 'error');
  const press: Press = { parts: 0, good: 0, kWh: 100, state: 2, vibration: 1.5 };
  let port: number;
  let machine: ReturnType<typeof pressServer>;
  let nats: NatsServer;
  let nc: NatsConnection;
  let store: SqliteEventStore;
  let commands: CommandHandler;
  let checkpoints: CheckpointStore;
  let adapter: Awaited<ReturnType<typeof startOpcuaIngestion>> | undefined;
  /** Parts and energy the press made since the adapter first saw its counters. */
  const made = { parts: 0, good: 0, kWh: 0 };

  const config = (): ConfigOpcuaMachine => ({
    machineId: 'P1',
    site: 'plant1',
    endpointUrl: `opc.tcp://127.0.0.1:${port}/press`,
    securityMode: 'None',
    securityPolicy: 'None',
    samplingInterval: 50,
    nodes: {
      state: { nodeId: node('state'), map: { '1': 'running', '2': 'idle', '3': 'down' } },
      partCounter: node('parts'),
      goodCounter: node('good'),
      energyMeter: node('kWh'),
      telemetry: { vibration: node('vibration') },
    },
  });
  const start = async () => {
    adapter = await startOpcuaIngestion({
      machines: [config()],
      commands,
      schemas,
      logger,
      checkpoints,
      deadLetters: natsDeadLetters(nc.jetstream()),
      intervalMs: 300,
      graceMs: 100,
      reconnectDelayMs: 100,
    });
    await adapter.ready();
  };
  const events = async (type: string) => (await store.readStream('machine-P1')).filter((e) => e.type === type);
  const counted = async () => {
    const found = await events('ProductionCounted');
    return {
      parts: found.reduce((sum, e) => sum + (e.data['total'] as number), 0),
      good: found.reduce((sum, e) => sum + (e.data['good'] as number), 0),
    };
  };
  const energy = async () =>
    Math.round((await events('EnergyMeasured')).reduce((sum, e) => sum + (e.data['kWh'] as number), 0) * 1e6) / 1e6;
  /** The press makes parts, one after another (every third one scrap), drawing 0.25 kWh each. */
  const produce = async (count: number, paceMs = 15) => {
    for (let i = 0; i < count; i += 1) {
      machine.set('parts', press.parts + 1);
      made.parts += 1;
      if (made.parts % 3 !== 0) {
        machine.set('good', press.good + 1);
        made.good += 1;
      }
      machine.set('kWh', press.kWh + 0.25);
      made.kWh += 0.25;
      await new Promise((r) => setTimeout(r, paceMs));
    }
  };
  const allCounted = (what: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const now = await counted();
        return now.parts === made.parts && now.good === made.good && (await energy()) === made.kWh;
      },
      what,
      timeoutMs,
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}: counted ${JSON.stringify(await counted())} and ${await energy()} kWh of ${JSON.stringify(made)}`,
      );
    });
  const deadLetters = async (): Promise<string[]> => {
    const jsm = await nc.jetstreamManager();
    const count = (await jsm.streams.info(DEAD_LETTER_STREAM)).state.messages;
    const reasons: string[] = [];
    for (let seq = 1; seq <= count; seq += 1)
      reasons.push((await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq })).header.get('Mes-Reason'));
    return reasons;
  };

  before(async () => {
    port = await freePort();
    machine = pressServer(port, press);
    await machine.start();
    nats = await startNatsServer();
    nc = await connect(natsOptionsFromUrl(nats.url));
    await ensureStream(await nc.jetstreamManager(), DEAD_LETTER_STREAM, ['deadletter.devices.>'], 120_000);
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createEventCodec(schemas, upcasters) });
    commands = createCommandHandler({ store });
    await registerMachines(commands, ['P1']);
    checkpoints = createSqliteCheckpointStore(join(temp.dir, 'checkpoints.db'));
    await start();
    // the first totals ever seen are the baseline: production starts once they are recorded
    await waitFor(
      async () =>
        (await checkpoints.load('opcua:P1:partCounter')) !== undefined &&
        (await checkpoints.load('opcua:P1:energyMeter')) !== undefined,
      'the baseline totals',
    );
  });
  after(async () => {
    await adapter?.stop();
    await machine?.stop();
    await nc?.close();
    await nats?.stop();
    await checkpoints?.close();
    await store?.close();
    temp.remove();
  });

  it('maps the state node through its map, and samples the vibration signal into telemetry', async () => {
    machine.set('state', 1);
    const [running] = await waitFor(async () => {
      const found = (await events('MachineStateChanged')).filter((e) => e.data['state'] === 'running');
      return found.length > 0 ? found : undefined;
    }, 'the running state');
    expect(running?.metadata).to.deep.include({ source: 'device', actor: 'device:P1' });
    machine.set('vibration', 3.5);
    const telemetry = await waitFor(async () => {
      const found = await events('TelemetryRecorded');
      const signals = found.flatMap((e) => e.data['signals'] as Array<{ signal: string; max: number }>);
      return signals.some((s) => s.max === 3.5) ? signals : undefined;
    }, 'the vibration interval');
    expect(telemetry.every((s) => s.signal === 'vibration')).to.equal(true);
  });

  it('counts the parts made as the counter totals rise: ProductionCounted sums to the parts, good ones and energy made', async () => {
    await produce(30);
    await allCounted('every part, good part and kWh counted');
    expect(await counted()).to.deep.equal({ parts: made.parts, good: made.good });
  });

  it('loses no part and counts none twice when the OPC UA server restarts mid-production', async () => {
    const before = made.parts;
    const producing = produce(60, 20);
    await waitFor(async () => (await counted()).parts >= before + 10, 'production under way');
    await machine.stop();
    // the machine goes on making parts while its server is down
    const down = made.parts;
    await waitFor(() => made.parts >= down + 8, 'parts made while the server is down');
    await machine.start();
    await producing;
    await allCounted('every part made across the restart counted', 60_000);
    expect(await counted()).to.deep.equal({ parts: made.parts, good: made.good });
    expect(await energy()).to.equal(made.kWh);
  });

  it('takes a counter reset (the machine restarted, its totals back to 0) as parts made since the reset', async () => {
    expect(press.parts).to.be.greaterThan(20);
    machine.set('parts', 0);
    machine.set('good', 0);
    await produce(12);
    await allCounted('the parts made after the reset');
    expect(press.parts).to.equal(12);
    expect(await counted()).to.deep.equal({ parts: made.parts, good: made.good });
  });

  it('keeps the last totals across a restart of the adapter: the parts made while it was down are counted once', async () => {
    await adapter?.stop();
    adapter = undefined;
    await produce(9);
    await start();
    await allCounted('the parts made while the adapter was down');
    expect(await counted()).to.deep.equal({ parts: made.parts, good: made.good });
  });

  it('dead-letters an invalid value with the reason (negative energy, a state not in the map) and keeps counting', async () => {
    const meter = press.kWh;
    machine.set('kWh', -5);
    machine.set('state', 42);
    const reasons = await waitFor(async () => {
      const found = await deadLetters();
      return found.length >= 2 ? found : undefined;
    }, 'two dead letters');
    expect(reasons).to.include('invalid energy message: /kWh must be >= 0');
    expect(reasons).to.include('state value 42 of ns=1;s=Press1.State is not in the state map');
    machine.set('kWh', meter); // the meter reads right again: nothing drawn in between
    machine.set('state', 1);
    await produce(6);
    await allCounted('the parts and energy after the bad values');
    expect(await counted()).to.deep.equal({ parts: made.parts, good: made.good });
  });

  it('is started by the backbone from OPCUA_FILE: the press’s parts reach its own store (no NATS: dead letters in the log)', async () => {
    await adapter?.stop();
    adapter = undefined;
    const dataDir = join(temp.dir, 'backbone');
    const file = join(temp.dir, 'opcua.json');
    writeFileSync(file, JSON.stringify({ machines: [config()] }));
    const backbone = await startBackbone(
      loadConfig(
        {
          DATA_DIR: dataDir,
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'error',
          OPCUA_FILE: file,
          DEVICE_INTERVAL_SECONDS: '1',
          DEVICE_GRACE_SECONDS: '0',
        },
        schemas,
      ),
      schemas,
      logger,
    );
    try {
      await registerMachines(backbone.services.commands, ['P1']);
      const saved = createSqliteCheckpointStore(join(dataDir, 'checkpoints.db'));
      await waitFor(async () => (await saved.load('opcua:P1:partCounter')) !== undefined, 'the backbone’s baseline');
      await saved.close();
      await produce(7);
      const parts = await waitFor(async () => {
        const found = (await backbone.store.readStream('machine-P1')).filter((e) => e.type === 'ProductionCounted');
        const sum = found.reduce((total, e) => total + (e.data['total'] as number), 0);
        return sum >= 7 ? sum : undefined;
      }, 'the parts in the backbone’s store');
      expect(parts).to.equal(7);
    } finally {
      await backbone.close();
    }
  });

  it('signs and encrypts (Basic256Sha256) and logs in with the user name and password file it is given', async () => {
    const securePort = await freePort();
    const secure = pressServer(
      securePort,
      { parts: 0, good: 0, kWh: 0, state: 3, vibration: 0 },
      {
        allowAnonymous: false,
        securityModes: [MessageSecurityMode.SignAndEncrypt],
        securityPolicies: [SecurityPolicy.Basic256Sha256],
        serverCertificateManager: new OPCUACertificateManager({
          automaticallyAcceptUnknownCertificate: true,
          rootFolder: join(temp.dir, 'pki-server'),
        }),
        userManager: { isValidUser: (user: string, password: string) => user === 'mes' && password === 'press-secret' },
      },
    );
    await secure.start();
    await registerMachines(commands, ['P2']);
    writeFileSync(join(temp.dir, 'p2.password'), 'press-secret\n');
    const p2 = await startOpcuaIngestion({
      machines: [
        {
          machineId: 'P2',
          site: 'plant1',
          endpointUrl: `opc.tcp://127.0.0.1:${securePort}/press`,
          securityMode: 'SignAndEncrypt',
          securityPolicy: 'Basic256Sha256',
          user: { userName: 'mes', passwordFile: join(temp.dir, 'p2.password') },
          samplingInterval: 50,
          nodes: { state: { nodeId: node('state'), map: { '1': 'running', '3': 'down' } } },
        },
      ],
      commands,
      schemas,
      logger,
      checkpoints,
      deadLetters: natsDeadLetters(nc.jetstream()),
      intervalMs: 300,
      graceMs: 100,
    });
    try {
      await p2.ready();
      const [down] = await waitFor(async () => {
        const found = (await store.readStream('machine-P2')).filter((e) => e.type === 'MachineStateChanged');
        return found.length > 0 ? found : undefined;
      }, 'the secured machine’s state');
      expect(down?.data['state']).to.equal('down');
    } finally {
      await p2.stop();
      await secure.stop();
    }
  });
});
