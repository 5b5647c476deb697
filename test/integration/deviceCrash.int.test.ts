import { expect } from 'chai';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { join } from 'node:path';
import { connect, headers, StringCodec, type NatsConnection } from 'nats';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { DEAD_LETTER_STREAM, DEVICE_STREAM } from '../../src/adapters/devices/deviceIngestion';
import { createCommandHandler } from '../../src/app/commandHandler';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { spawnTsChild, type TsChild } from '../support/child';
import { registerMachines } from '../support/fixtures';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const sc = StringCodec();
const MACHINES = Array.from({ length: 10 }, (_, i) => `M${i + 1}`);
const ROUNDS = 300;
const T0 = Date.parse('2026-11-25T06:00:00Z');

describe('device ingestion killed with SIGKILL mid-stream and restarted (real nats-server)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-device-crash-');
  const dbPath = join(temp.dir, 'events.db');
  let nats: NatsServer;
  let nc: NatsConnection;
  let store: SqliteEventStore;
  let child: TsChild | undefined;

  before(async () => {
    nats = await startNatsServer();
    nc = await connect(natsOptionsFromUrl(nats.url));
    const schemas = loadSchemaRegistry();
    store = createSqliteEventStore({ path: dbPath, codec: createEventCodec(schemas, upcasters) });
    await registerMachines(createCommandHandler({ store }), MACHINES);
  });
  after(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await nc?.close();
    await nats?.stop();
    await store?.close();
    temp.remove();
  });

  const startChild = async (): Promise<TsChild> => {
    const started = spawnTsChild('ingestChild.ts', [nats.url, dbPath, '20000', '2000']);
    await started.ready;
    return started;
  };
  const eventsOf = async (type: string) =>
    (await Promise.all(MACHINES.map((m) => store.readStream(`machine-${m}`)))).map((events) =>
      events.filter((e) => e.type === type),
    );
  const stateChanges = async () => (await eventsOf('MachineStateChanged')).reduce((n, list) => n + list.length, 0);

  it('appends every message once: no state change lost or doubled, every count and kWh summed once, no dead letter', async () => {
    const js = nc.jetstream();
    child = await startChild();
    // each machine: a state change every 2 s of device time (running, idle, running, ...), a count of 1
    // and 0.01 kWh; 9,000 messages in all, published while the consumer is killed twice
    const publishing = (async () => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const at = new Date(T0 + round * 2_000).toISOString();
        await Promise.all(
          MACHINES.flatMap((m) =>
            (
              [
                ['state', { state: round % 2 === 0 ? 'running' : 'idle', at }],
                ['count', { total: 1, at }],
                ['energy', { kWh: 0.01, at }],
              ] as const
            ).map(([kind, payload]) => {
              const h = headers();
              h.set('Nats-Msg-Id', `${m}-${kind}-${round}`);
              return js.publish(`devices.plant1.${m}.${kind}`, sc.encode(JSON.stringify(payload)), { headers: h });
            }),
          ),
        );
        if (round % 10 === 9) await new Promise((r) => setTimeout(r, 15));
      }
    })();
    let kills = 0;
    for (const threshold of [800, 1_800]) {
      await waitFor(async () => (await stateChanges()) >= threshold, `${threshold} state changes`, 60_000);
      child.process.kill('SIGKILL');
      await child.exited;
      kills += 1;
      child = await startChild();
    }
    await publishing;
    const expectedChanges = MACHINES.length * ROUNDS;
    await waitFor(
      async () => {
        const counted = (await eventsOf('ProductionCounted')).flat();
        return counted.reduce((n, e) => n + (e.data['total'] as number), 0) >= expectedChanges;
      },
      'every count summed',
      60_000,
    );
    await waitFor(
      async () => {
        const info = await (await nc.jetstreamManager()).consumers.info(DEVICE_STREAM, 'backbone-ingest');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      'every message acknowledged',
      60_000,
    );
    expect(kills).to.equal(2);

    const states = await eventsOf('MachineStateChanged');
    for (const [i, list] of states.entries()) {
      expect(
        list.map((e) => e.data['changedAt']),
        `${MACHINES[i]} state changes in order, once each`,
      ).to.deep.equal(Array.from({ length: ROUNDS }, (_, round) => new Date(T0 + round * 2_000).toISOString()));
      expect(list.map((e) => e.data['state'])).to.deep.equal(
        Array.from({ length: ROUNDS }, (_, round) => (round % 2 === 0 ? 'running' : 'idle')),
      );
    }
    for (const [type, field, perMachine] of [
      ['ProductionCounted', 'total', ROUNDS],
      ['EnergyMeasured', 'kWh', ROUNDS * 0.01],
    ] as const) {
      for (const list of await eventsOf(type)) {
        const starts = list.map((e) => e.data['intervalStart']);
        expect(new Set(starts).size, `${type}: one event per interval`).to.equal(starts.length);
        expect(list.reduce((n, e) => n + (e.data[field] as number), 0)).to.be.closeTo(perMachine, 1e-6);
      }
    }
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(DEAD_LETTER_STREAM)).state.messages, 'dead letters').to.equal(0);
  });
});
