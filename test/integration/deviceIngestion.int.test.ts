import { expect } from 'chai';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { connect, headers, StringCodec, type NatsConnection } from 'nats';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { DEAD_LETTER_STREAM, startDeviceIngestion } from '../../src/adapters/devices/deviceIngestion';
import { createCommandHandler } from '../../src/app/commandHandler';
import { createLogger } from '../../src/lib/logger';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { registerMachines } from '../support/fixtures';
import { brokerRefusals, startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const sc = StringCodec();

describe('device ingestion from a real nats-server (JetStream, MQTT)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-devices-');
  const schemas = loadSchemaRegistry();
  let nats: NatsServer;
  let nc: NatsConnection;
  let store: SqliteEventStore;
  let ingestion: Awaited<ReturnType<typeof startDeviceIngestion>>;
  let failures = 0;

  const publish = async (subject: string, payload: unknown, id: string) => {
    const h = headers();
    h.set('Nats-Msg-Id', id);
    await nc
      .jetstream()
      .publish(subject, sc.encode(typeof payload === 'string' ? payload : JSON.stringify(payload)), { headers: h });
  };
  const machineEvents = async (machineId: string) =>
    (await store.readStream(`machine-${machineId}`)).filter((e) => e.type !== 'MachineRegistered');

  before(async () => {
    nats = await startNatsServer({ devices: [{ site: 'plant1', machineId: 'M3' }] });
    nc = await connect(natsOptionsFromUrl(nats.url));
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createEventCodec(schemas, upcasters) });
    const real = createCommandHandler({ store });
    // once armed, the store fails once for M4 (a disk error, say): the message must come back
    const commands: typeof real = {
      ...real,
      handle: (aggregate, id, command, context) => {
        if (id === 'M4' && failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('disk I/O error'));
        }
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: without it the command union over every aggregate is 'too complex to represent' (TS2590)
        return real.handle(aggregate, id, command as never, context);
      },
    };
    await registerMachines(commands, ['M1', 'M2', 'M3', 'M4']);
    failures = 1;
    ingestion = await startDeviceIngestion({
      nc,
      commands,
      schemas,
      logger: createLogger('error'),
      intervalMs: 400,
      graceMs: 100,
    });
  });
  after(async () => {
    await ingestion?.stop();
    await nc?.close();
    await nats?.stop();
    await store?.close();
    temp.remove();
  });

  it('appends a machine state change when the state changes, and nothing when it repeats', async () => {
    await publish('devices.plant1.M1.state', { state: 'running', at: '2026-11-25T01:00:00Z' }, 's-1');
    await publish('devices.plant1.M1.state', { state: 'running', at: '2026-11-25T01:00:05Z' }, 's-2');
    await publish('devices.plant1.M1.state', { state: 'idle', at: '2026-11-25T01:10:00Z' }, 's-3');
    const events = await waitFor(async () => {
      const found = await machineEvents('M1');
      return found.length >= 2 ? found : undefined;
    }, 'two state changes');
    await new Promise((r) => setTimeout(r, 200));
    expect((await machineEvents('M1')).map((e) => e.data['state'])).to.deep.equal(['running', 'idle']);
    expect(events[0]?.metadata).to.deep.include({ source: 'device', actor: 'device:M1', inputId: 's-1' });
  });

  it('sums energy per machine per interval into one event, once the interval has closed', async () => {
    const at = new Date(Math.floor(Date.now() / 400) * 400 + 50).toISOString();
    for (const [i, kWh] of [0.5, 0.25, 1.25].entries())
      await publish('devices.plant1.M2.energy', { kWh, at }, `e-${i}`);
    const [energy] = await waitFor(async () => {
      const found = (await machineEvents('M2')).filter((e) => e.type === 'EnergyMeasured');
      return found.length > 0 ? found : undefined;
    }, 'the energy interval');
    expect(energy?.data['kWh']).to.equal(2);
    expect(
      Date.parse(energy?.data['intervalEnd'] as string) - Date.parse(energy?.data['intervalStart'] as string),
    ).to.equal(400);
  });

  it('keeps telemetry as one aggregate per machine per interval, each signal with count, min, max, mean, RMS and last', async () => {
    const base = Math.floor(Date.now() / 400) * 400;
    const samples: Array<[number, Record<string, number>]> = [
      [10, { vibration: 3, temperature: 41 }],
      [120, { vibration: 4 }],
      [200, { vibration: 0, temperature: 43 }],
    ];
    for (const [i, [offset, values]] of samples.entries())
      await publish('devices.plant1.M2.telemetry', { at: new Date(base + offset).toISOString(), values }, `t-${i}`);
    const [recorded] = await waitFor(async () => {
      const found = (await machineEvents('M2')).filter((e) => e.type === 'TelemetryRecorded');
      return found.length > 0 ? found : undefined;
    }, 'the telemetry interval');
    expect(recorded?.data['intervalStart']).to.equal(new Date(base).toISOString());
    expect(recorded?.data['signals']).to.deep.equal([
      { signal: 'temperature', count: 2, min: 41, max: 43, mean: 42, rms: 42.011903, last: 43 },
      { signal: 'vibration', count: 3, min: 0, max: 4, mean: 2.333333, rms: 2.886751, last: 0 },
    ]);
  });

  it('dead-letters an invalid message and one for an unknown machine, with the reason, and keeps going', async () => {
    await publish('devices.plant1.M1.state', '{"state": "flying"', 'bad-1');
    await publish('devices.plant1.M1.state', { state: 'dancing', at: '2026-11-25T02:00:00Z' }, 'bad-2');
    await publish('devices.plant1.NOPE.state', { state: 'running', at: '2026-11-25T02:00:00Z' }, 'bad-3');
    await publish('devices.plant1.M1.state', { state: 'running', at: '2026-11-25T02:00:00Z' }, 'good-4');
    await waitFor(
      async () => ((await machineEvents('M1')).length >= 3 ? true : undefined),
      'the good message after the bad ones',
    );
    const jsm = await nc.jetstreamManager();
    const reasons: string[] = [];
    await waitFor(
      async () => ((await jsm.streams.info(DEAD_LETTER_STREAM)).state.messages >= 3 ? true : undefined),
      'three dead letters',
    );
    const payloads: string[] = [];
    for (let seq = 1; seq <= 3; seq += 1) {
      const letter = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq });
      reasons.push(letter.header.get('Mes-Reason'));
      payloads.push(`${letter.header.get('Mes-Original-Subject')} ${sc.decode(letter.data)}`);
    }
    // each keeps the raw payload, as published, and its subject
    expect(payloads).to.have.members([
      'devices.plant1.M1.state {"state": "flying"',
      `devices.plant1.M1.state ${JSON.stringify({ state: 'dancing', at: '2026-11-25T02:00:00Z' })}`,
      `devices.plant1.NOPE.state ${JSON.stringify({ state: 'running', at: '2026-11-25T02:00:00Z' })}`,
    ]);
    // machines settle in lanes of their own: M1's two refusals keep their order, NOPE's may come between them
    const m1 = reasons.filter((r) => !r.includes('NOPE'));
    expect(m1[0]).to.match(/not JSON/);
    expect(m1[1]).to.match(/invalid state message: \/state/);
    expect(reasons.filter((r) => r.includes('NOPE'))).to.have.length(1);
    expect(reasons.find((r) => r.includes('NOPE'))).to.match(/not-found: machine NOPE is not registered/);
  });

  it('retries a message it failed to append (not a refusal) in place, and appends it once', async () => {
    await publish('devices.plant1.M4.state', { state: 'running', at: '2026-11-25T04:00:00Z' }, 'flaky-1');
    const events = await waitFor(async () => {
      const found = await machineEvents('M4');
      return found.length > 0 ? found : undefined;
    }, 'the redelivered message');
    await new Promise((r) => setTimeout(r, 300));
    expect(failures).to.equal(0);
    expect((await machineEvents('M4')).map((e) => e.data['state'])).to.deep.equal(['running']);
    expect(events[0]?.metadata.inputId).to.equal('flaky-1');
  });

  it('takes MQTT devices through the NATS server’s own MQTT listener', async () => {
    // the machine logs in as itself: the broker lets it publish its own subjects only
    const device = nats.deviceUser('plant1', 'M3');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${nats.mqttPort}`, {
      clientId: 'press-m3',
      protocolVersion: 4,
      username: device.user,
      password: device.password,
    });
    await client.publishAsync(
      'devices/plant1/M3/state',
      JSON.stringify({ state: 'down', reasonCode: 'JAM', at: '2026-11-25T03:00:00Z' }),
      { qos: 1 },
    );
    await client.endAsync();
    const [down] = await waitFor(async () => {
      const found = await machineEvents('M3');
      return found.length > 0 ? found : undefined;
    }, 'the MQTT state change');
    expect(down?.data).to.deep.include({ state: 'down', reasonCode: 'JAM' });
  });

  it('lets a machine publish only its own device subjects: not another machine’s, not mes.in.>, and nobody without credentials', async () => {
    const device = await connect({ ...natsOptionsFromUrl(nats.deviceUser('plant1', 'M3').url) });
    const violations = brokerRefusals(device);
    const seen: string[] = [];
    const watch = nc.subscribe('>', { callback: (_error, message) => void seen.push(message.subject) });
    await nc.flush();
    device.publish('devices.plant1.M4.state', sc.encode('{}'));
    device.publish('mes.in.erp.ProductionSchedule', sc.encode('<ProductionSchedule/>'));
    device.publish('devices.plant1.M3.telemetry', sc.encode('{}'));
    await device.flush();
    const refused = await waitFor(() => violations.length >= 2 && violations, 'the broker to refuse both publications');
    expect(refused).to.deep.equal(['"PERMISSIONS_VIOLATION"', '"PERMISSIONS_VIOLATION"']);
    await waitFor(() => seen.includes('devices.plant1.M3.telemetry'), 'its own subject to arrive');
    expect(seen).to.not.include('devices.plant1.M4.state');
    expect(seen).to.not.include('mes.in.erp.ProductionSchedule');
    watch.unsubscribe();
    await device.close();
    const anonymous = await connect({ servers: `nats://127.0.0.1:${nats.port}`, reconnect: false }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    expect(anonymous).to.match(/authorization/i);
  });

  it('keeps the first state of a device 2 s behind the server’s registration, and dead-letters one from the future naming at', async () => {
    // registered by the server just now; the device's clock is 2 s behind it
    const registeredAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await createCommandHandler({ store }).handle(
      'machine',
      'M5',
      {
        type: 'RegisterMachine',
        data: {
          machineId: 'M5',
          code: 'M5',
          name: 'M5',
          type: 'press',
          workCenter: 'WC',
          ratedPowerKw: 5,
          idealCycleSeconds: [],
        },
        meta: { now: registeredAt, actor: 'test' },
      },
      { commandId: 'reg-M5', correlationId: 'reg', source: 'api' },
    );
    const behind = new Date(Date.parse(registeredAt) - 2_000).toISOString();
    await publish('devices.plant1.M5.state', { state: 'running', at: '2030-01-01T00:00:00Z' }, 'm5-future');
    await publish('devices.plant1.M5.state', { state: 'running', at: behind }, 'm5-behind');
    const [first] = await waitFor(async () => {
      const found = await machineEvents('M5');
      return found.length > 0 ? found : undefined;
    }, 'M5’s first state');
    expect(first?.data).to.deep.include({ state: 'running', changedAt: registeredAt, previousSeconds: 0 });
    expect(first?.metadata.receivedAt, 'the server’s receive time beside the device’s').to.be.a('string');
    const jsm = await nc.jetstreamManager();
    const reason = await waitFor(async () => {
      const count = (await jsm.streams.info(DEAD_LETTER_STREAM)).state.messages;
      for (let seq = 1; seq <= count; seq += 1) {
        const found = (await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq })).header.get('Mes-Reason');
        if (found.includes('2030')) return found;
      }
      return undefined;
    }, 'the dead letter of the state from the future');
    expect(reason).to.match(
      /^validation: at 2030-01-01T00:00:00Z is later than the server's time .* plus the allowed clock skew \(300 s\)$/,
    );
  });
});
