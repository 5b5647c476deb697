import { expect } from 'chai';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { join } from 'node:path';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { EVENTS_STREAM, startCloudEventsPublisher } from '../../src/adapters/publish/cloudEvents';
import { createLogger } from '../../src/lib/logger';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';

describe('CloudEvents to backend teams over NATS JetStream', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-ce-');
  let nats: NatsServer;
  let nc: NatsConnection;
  before(async () => {
    nats = await startNatsServer();
    nc = await connect(natsOptionsFromUrl(nats.url));
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
    temp.remove();
  });

  it('publishes every event once as a CloudEvent, and a restarted publisher resumes with no gap and no duplicate', async () => {
    const store = createSqliteEventStore({
      path: join(temp.dir, 'events.db'),
      codec: createTestCodec(),
      pollIntervalMs: 20,
    });
    const checkpoints = createSqliteCheckpointStore(join(temp.dir, 'checkpoints.db'));
    const logger = createLogger('error');
    const order = uniqueStream('order');
    const written: string[] = [];
    const write = async (n: number) => {
      const event = counted(n);
      written.push(event.id);
      await store.append(order, [event]);
    };
    for (let n = 0; n < 5; n += 1) await write(n);
    const jsm = await nc.jetstreamManager();
    const count = async () => (await jsm.streams.info(EVENTS_STREAM)).state.messages;
    const until = async (n: number) => {
      for (let i = 0; i < 300 && (await count().catch(() => 0)) < n; i += 1)
        await new Promise((r) => setTimeout(r, 20));
    };
    let publisher = await startCloudEventsPublisher({ nc, store, checkpoints, logger });
    await until(5);
    await publisher.stop();
    for (let n = 5; n < 9; n += 1) await write(n); // written while the publisher is down
    publisher = await startCloudEventsPublisher({ nc, store, checkpoints, logger });
    await write(9);
    await until(10);
    await new Promise((r) => setTimeout(r, 200));
    await publisher.stop();

    // a backend team's consumer: everything, in order, each once
    await jsm.consumers.add(EVENTS_STREAM, { durable_name: 'backend-team', ack_policy: AckPolicy.Explicit });
    const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, 'backend-team');
    const received: Array<Record<string, unknown>> = [];
    const messages = await consumer.fetch({ max_messages: 100, expires: 1000 });
    for await (const m of messages) {
      received.push(m.json<Record<string, unknown>>());
      expect(m.subject).to.equal('mes.events.order.TestCounted');
      expect(m.headers?.get('Nats-Msg-Id')).to.equal(received[received.length - 1]?.['id']);
      m.ack();
    }
    expect(received.map((e) => e['id'])).to.deep.equal(written);
    expect(received[0]).to.deep.include({
      specversion: '1.0',
      type: 'mes.TestCounted',
      subject: order,
      datacontenttype: 'application/json',
    });
    expect(received[0]).to.have.property('position');
    await checkpoints.close();
    await store.close();
  });
});
