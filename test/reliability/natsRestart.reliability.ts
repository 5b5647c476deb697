import { expect } from 'chai';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { join } from 'node:path';
import { connect, headers, StringCodec, type NatsConnection } from 'nats';
import { DEAD_LETTER_STREAM } from '../../src/adapters/devices/deviceIngestion';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { byScale, figure } from './figures';

const sc = StringCodec();
const MACHINES = ['M1', 'M2', 'M3', 'M4', 'M5'];
const ROUNDS = byScale(400, 4_000);
const RESTARTS = byScale(2, 5);

describe('reliability: the NATS server restarted mid-ingestion', function () {
  const temp = makeTempDir('mes-reliability-nats-');
  const keys = makeKeys(temp.dir);
  let nats: NatsServer;
  let nc: NatsConnection;
  let backbone: BackboneProcess;
  after(async () => {
    await backbone?.stop('SIGTERM');
    await nc?.close();
    await nats?.stop();
    temp.remove();
  });

  it('loses and doubles no device message: every state change once and in order, every count summed once', async () => {
    nats = await startNatsServer();
    const env = { DATA_DIR: join(temp.dir, 'data'), API_KEYS_FILE: keys.file, LOG_LEVEL: 'error', NATS_URL: nats.url };
    backbone = await startBackboneProcess(env);
    for (const machineId of MACHINES) {
      const response = await client(backbone.baseUrl, keys.tokens).post('/api/machines', {
        machineId,
        code: machineId,
        name: machineId,
        type: 'press',
        workCenter: 'WC',
        ratedPowerKw: 5,
      });
      expect(response.status).to.equal(201);
    }
    nc = await connect({ ...natsOptionsFromUrl(nats.url), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const js = nc.jetstream();
    /** A device's publish: until JetStream acknowledges it, the same message (same id) again. */
    const publish = async (subject: string, payload: unknown, id: string): Promise<void> => {
      for (;;) {
        try {
          const h = headers();
          h.set('Nats-Msg-Id', id);
          await js.publish(subject, sc.encode(JSON.stringify(payload)), { headers: h, timeout: 2_000 });
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    // device time starts after the machines were registered (a state change before that is out of order)
    const T0 = Date.now() + 1_000;
    let published = 0;
    const publishing = (async () => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const at = new Date(T0 + round * 100).toISOString();
        await Promise.all(
          MACHINES.flatMap((m) => [
            publish(
              `devices.plant1.${m}.state`,
              { state: round % 2 === 0 ? 'running' : 'idle', at },
              `${m}-s-${round}`,
            ),
            publish(`devices.plant1.${m}.count`, { total: 1, at }, `${m}-c-${round}`),
          ]),
        );
        published += MACHINES.length * 2;
      }
      // a later reading from each machine moves its device time past the last interval, which closes it
      for (const m of MACHINES)
        await publish(`devices.plant1.${m}.telemetry`, { at: new Date(T0 + 86_400_000).toISOString() }, `${m}-t`);
    })();
    let restarts = 0;
    for (let k = 1; k <= RESTARTS; k += 1) {
      const threshold = Math.floor((ROUNDS * MACHINES.length * 2 * k) / (RESTARTS + 1));
      while (published < threshold) await new Promise((r) => setTimeout(r, 10));
      await nats.restart();
      restarts += 1;
    }
    await publishing;

    const store = createSqliteEventStore({
      path: join(env.DATA_DIR, 'events.db'),
      codec: createEventCodec(loadSchemaRegistry(), upcasters),
    });
    try {
      const ofType = async (type: string) =>
        Promise.all(MACHINES.map(async (m) => (await store.readStream(`machine-${m}`)).filter((e) => e.type === type)));
      const deadline = Date.now() + 120_000;
      for (;;) {
        const counted = (await ofType('ProductionCounted')).flat().reduce((n, e) => n + (e.data['total'] as number), 0);
        const changes = (await ofType('MachineStateChanged')).flat().length;
        if (counted >= ROUNDS * MACHINES.length && changes >= ROUNDS * MACHINES.length) break;
        if (Date.now() > deadline) throw new Error(`after the restarts: ${changes} state changes, ${counted} counted`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      const expected = Array.from({ length: ROUNDS }, (_, round) => new Date(T0 + round * 100).toISOString());
      for (const [i, changes] of (await ofType('MachineStateChanged')).entries()) {
        expect(
          changes.map((e) => e.data['changedAt']),
          `${MACHINES[i]} state changes`,
        ).to.deep.equal(expected);
      }
      for (const counts of await ofType('ProductionCounted')) {
        expect(counts.reduce((n, e) => n + (e.data['total'] as number), 0)).to.equal(ROUNDS);
        expect(new Set(counts.map((e) => e.data['intervalStart'])).size).to.equal(counts.length);
      }
      const dead = (await (await nc.jetstreamManager()).streams.info(DEAD_LETTER_STREAM)).state.messages;
      expect(dead, 'dead letters').to.equal(0);
      figure('NATS server restarts mid-ingestion', restarts);
      figure('device messages checked (none lost, none doubled)', published);
    } finally {
      await store.close();
    }
  });
});
