import { expect } from 'chai';
import { join } from 'node:path';
import { connect, headers, StringCodec, type NatsConnection } from 'nats';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { DEAD_LETTER_STREAM, DEVICE_STREAM, startDeviceIngestion } from '../../src/adapters/devices/deviceIngestion';
import { createCommandHandler } from '../../src/app/commandHandler';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { createLogger } from '../../src/lib/logger';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { registerMachines } from '../support/fixtures';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const sc = StringCodec();
const MACHINES = Array.from({ length: 20 }, (_, i) => `B${i + 1}`);
const SECONDS = 40;
const T0 = Date.parse('2026-11-25T06:00:00Z');

describe('device ingestion behind its stream, held at its limit of messages in flight (real nats-server)', function () {
  this.timeout(90_000);
  const temp = makeTempDir('mes-device-backlog-');
  const schemas = loadSchemaRegistry();
  let nats: NatsServer;
  let nc: NatsConnection;
  let store: SqliteEventStore;

  before(async () => {
    nats = await startNatsServer();
    nc = await connect(natsOptionsFromUrl(nats.url));
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createEventCodec(schemas, upcasters) });
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
    await store?.close();
    temp.remove();
  });

  it('closes no interval for being quiet while its messages wait in the stream: every count summed once, no dead letter', async () => {
    const real = createCommandHandler({ store });
    await registerMachines(real, MACHINES);
    // a store slower than the grace: the consumer fills its limit and waits for acknowledgements
    const commands: typeof real = {
      ...real,
      handle: async (aggregate, id, command, context) => {
        await new Promise((r) => setTimeout(r, 150));
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: without it the command union over every aggregate is 'too complex to represent' (TS2590)
        return real.handle(aggregate, id, command as never, context);
      },
    };
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: DEVICE_STREAM, subjects: ['devices.>'] });
    // the backlog, as a plant sends it: each second of device time, a count from every machine
    const js = nc.jetstream();
    for (let second = 0; second < SECONDS; second += 1) {
      const at = new Date(T0 + second * 1_000).toISOString();
      await Promise.all(
        MACHINES.map((m) => {
          const h = headers();
          h.set('Nats-Msg-Id', `${m}-${second}`);
          return js.publish(`devices.site.${m}.count`, sc.encode(JSON.stringify({ total: 2, good: 1, at })), {
            headers: h,
          });
        }),
      );
    }
    const ingestion = await startDeviceIngestion({
      nc,
      commands,
      schemas,
      logger: createLogger('error'),
      intervalMs: 10_000,
      graceMs: 100,
      // above what the open intervals hold (20 machines x 11 s), below the whole backlog
      maxInFlight: 300,
    });
    try {
      // everything taken in and acknowledged, dead-lettered or appended
      await waitFor(
        async () => {
          const info = await jsm.consumers.info(DEVICE_STREAM, 'backbone-ingest');
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        'the backlog acknowledged',
        60_000,
      );
      const events = (await Promise.all(MACHINES.map((m) => store.readStream(`machine-${m}`))))
        .flat()
        .filter((e) => e.type === 'ProductionCounted');
      const dead = (await jsm.streams.info(DEAD_LETTER_STREAM)).state.messages;
      expect(dead, 'dead letters').to.equal(0);
      // four intervals per machine, each of its ten seconds' counts
      expect(events).to.have.length(MACHINES.length * 4);
      for (const e of events) expect(e.data).to.deep.include({ total: 20, good: 10 });
    } finally {
      await ingestion.stop();
    }
  });
});
