import { expect } from 'chai';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { AckPolicy, connect, headers, StringCodec, type JsMsg, type NatsConnection } from 'nats';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { httpDestination, natsDestination, OUTBOUND_STREAM } from '../../src/adapters/integration/destinations';
import { INBOUND_DEAD_LETTERS, INBOUND_SUBJECTS, startInbound } from '../../src/adapters/integration/inbound';
import { startOutbox } from '../../src/adapters/integration/outbox';
import { createCommandHandler, type CommandHandler } from '../../src/app/commandHandler';
import { createLogger } from '../../src/lib/logger';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { operation, orderSpec } from '../support/fixtures';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';
import { v0600Violations } from '../fixtures/b2mml/v0600';

const sc = StringCodec();
const logger = createLogger('error');
const xml = new XMLParser({
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => /^(EquipmentActual|MaterialActual|ProductionResponse|SegmentResponse|Quantity)$/.test(name),
});

type Quantity = { QuantityString: string; Key?: string };
type MaterialActual = {
  MaterialDefinitionID: string;
  MaterialLotID?: string;
  MaterialUse: string;
  Quantity: Quantity[];
};
type ProductionResponse = {
  ProductionRequestID: string;
  ResponseState: string;
  SegmentResponse: {
    ID: string;
    EquipmentActual: { EquipmentID: string }[];
    MaterialActual: MaterialActual[];
  }[];
  MaterialActual: MaterialActual[];
};
const performance = (m: JsMsg): ProductionResponse =>
  (xml.parse(sc.decode(m.data)) as { ProductionPerformance: { ProductionResponse: ProductionResponse[] } })
    .ProductionPerformance.ProductionResponse[0] as ProductionResponse;

describe('ERP and WMS bridges over a real nats-server and HTTP: inbound imports, the outbox', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-bridges-');
  const schemas = loadSchemaRegistry();
  let nats: NatsServer;
  let nc: NatsConnection;
  let store: SqliteEventStore;
  let commands: CommandHandler;
  let inbound: Awaited<ReturnType<typeof startInbound>>;
  let erp: Server;
  let outbox: Awaited<ReturnType<typeof startOutbox>> | undefined;
  // the ERP endpoint fails its first two requests (503), as an ERP in maintenance would
  const erpRequests: { key: string; kind: string; body: string; status: number; at: number }[] = [];

  const send = async (subject: string, body: string, id: string, contentType?: string) => {
    const h = headers();
    h.set('Nats-Msg-Id', id);
    if (contentType) h.set('Content-Type', contentType);
    await nc.jetstream().publish(subject, sc.encode(body), { headers: h });
  };
  const run = (aggregate: 'order' | 'lot', id: string, type: string, data: object, now: string) =>
    commands.handle(aggregate, id, { type, data, meta: { now, actor: 'test' } } as never, {
      commandId: `${type}:${id}:${now}`,
      correlationId: 'bridges',
      source: 'api',
    });
  const deadLetterHeaders = async () => {
    const jsm = await nc.jetstreamManager();
    const count = (await jsm.streams.info(INBOUND_DEAD_LETTERS)).state.messages;
    const letters: { subject: string; reason: string; element: string }[] = [];
    for (let seq = 1; seq <= count; seq += 1) {
      const m = await jsm.streams.getMessage(INBOUND_DEAD_LETTERS, { seq });
      letters.push({ subject: m.subject, reason: m.header.get('Mes-Reason'), element: m.header.get('Mes-Element') });
    }
    return letters;
  };
  const deadLetters = async () => (await deadLetterHeaders()).map((l) => l.reason);

  before(async () => {
    nats = await startNatsServer();
    nc = await connect(natsOptionsFromUrl(nats.url));
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createEventCodec(schemas, upcasters) });
    commands = createCommandHandler({ store });
    inbound = await startInbound({ nc, commands, schemas, logger });
    erp = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const status = erpRequests.length < 2 ? 503 : 200;
        erpRequests.push({
          key: req.headers['idempotency-key'] as string,
          kind: req.headers['x-mes-message-kind'] as string,
          body,
          status,
          at: Date.now(),
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => erp.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await outbox?.stop();
    await inbound?.stop();
    await new Promise((resolve) => erp?.close(resolve));
    await nc?.close();
    await nats?.stop();
    await store?.close();
    temp.remove();
  });

  it('imports a B2MML schedule sent on mes.in.erp.ProductionSchedule once, and dead-letters a broken one with its path', async () => {
    const document = readFileSync(join(__dirname, '../fixtures/b2mml/schedule.xml'), 'utf8');
    await send(INBOUND_SUBJECTS.schedule, document, 'sched-1', 'application/xml');
    await send(INBOUND_SUBJECTS.schedule, document, 'sched-1-again', 'application/xml');
    await send(INBOUND_SUBJECTS.schedule, '<ProductionSchedule><ProductionRequest>', 'sched-broken');
    await waitFor(async () => ((await deadLetters()).length > 0 ? true : undefined), 'the dead letter');
    const orders = (await store.readAll({ filter: { eventTypes: ['OrderPlanned'] } })).events;
    expect(orders.length, 'one order per ProductionRequest, not two').to.be.greaterThan(0);
    expect(new Set(orders.map((e) => e.streamId)).size).to.equal(orders.length);
    expect(orders.every((e) => e.metadata.source === 'erp')).to.equal(true);
    expect((await deadLetters())[0]).to.match(/XML does not parse/);
  });

  it('plans the good requests of a V0600 schedule on NATS and dead-letters the bad one alone, with its element paths once each', async () => {
    const before = (await deadLetterHeaders()).length;
    await send(
      INBOUND_SUBJECTS.schedule,
      readFileSync(join(__dirname, '../fixtures/b2mml/schedule-one-bad.xml'), 'utf8'),
      'sched-2',
      'application/xml',
    );
    await waitFor(
      async () => ((await deadLetterHeaders()).length > before ? true : undefined),
      'the bad request’s dead letter',
    );
    await waitFor(
      async () => ((await store.readStream('order-ERP-2003')).length > 0 ? true : undefined),
      'the third request planned',
    );
    const letters = (await deadLetterHeaders()).slice(before);
    expect(letters).to.deep.equal([
      {
        subject: 'deadletter.mes.in.erp.ProductionSchedule',
        element: 'ProductionSchedule/ProductionRequest[2]',
        reason:
          'ProductionSchedule/ProductionRequest[2]/SegmentRequirement[1]/MaterialRequirement[1]/Quantity/QuantityString must be a number above 0, not "twenty"; ' +
          'ProductionSchedule/ProductionRequest[2]/EndTime is required (or LatestEndTime on its SegmentRequirements): it is the due date',
      },
    ]);
    expect((await store.readStream('order-ERP-2001'))[0]?.data).to.deep.include({ orderId: 'ERP-2001' });
    expect(await store.readStream('order-ERP-2002')).to.have.length(0);
    expect(
      ((await store.readStream('order-ERP-2003'))[0]?.data as { spec: { customer: string } }).spec.customer,
    ).to.equal('R&D workshop');
  });

  it('turns a WMS receipt on mes.in.wms.MaterialReceipt into lots, once, and dead-letters a bad line naming the field', async () => {
    const receipt = {
      receiptId: 'GR-1',
      supplier: 'Steelworks',
      lines: [
        { lotId: 'L-STEEL-1', material: 'STEEL', quantity: 500, unit: 'kg', supplierLot: 'SW-77' },
        { lotId: 'L-OIL-1', material: 'OIL', quantity: 20, unit: 'l', supplierLot: 'OX-1' },
      ],
    };
    await send(INBOUND_SUBJECTS.receipt, JSON.stringify(receipt), 'gr-1');
    await send(INBOUND_SUBJECTS.receipt, JSON.stringify(receipt), 'gr-1-again');
    const bad = { ...receipt, receiptId: 'GR-2', lines: [{ ...receipt.lines[0], lotId: 'L-X', quantity: -5 }] };
    const before = (await deadLetters()).length;
    await send(INBOUND_SUBJECTS.receipt, JSON.stringify(bad), 'gr-2');
    await waitFor(async () => ((await deadLetters()).length > before ? true : undefined), 'the receipt’s dead letter');
    const steel = await store.readStream('lot-L-STEEL-1');
    expect(steel.map((e) => e.type)).to.deep.equal(['LotReceived']);
    expect(steel[0]?.data).to.deep.include({ material: 'STEEL', quantity: 500, source: 'wms', supplier: 'Steelworks' });
    expect(await store.readStream('lot-L-OIL-1')).to.have.length(1);
    expect(await store.readStream('lot-L-X')).to.have.length(0);
    expect((await deadLetters())[before]).to.match(/\/lines\/0\/quantity/);
  });

  it('sends the WMS material request, B2MML ProductionPerformance per operation and per order, and the finished-goods receipt, once each, retrying a failing ERP with backoff', async () => {
    const outboxPath = join(temp.dir, 'outbox.db');
    const destinations = [
      await natsDestination(nc),
      httpDestination('erp', `http://127.0.0.1:${(erp.address() as AddressInfo).port}/b2mml`),
    ];
    outbox = await startOutbox({ store, path: outboxPath, destinations, logger, retry: { baseMs: 100 } });
    const spec = orderSpec({ quantity: 10, erpRequestId: 'PR-9' }, [
      operation('010', { code: 'TURN', materials: [{ material: 'STEEL', quantityPerUnit: 2.5, unit: 'kg' }] }),
      operation('020', { code: 'PACK', materials: [{ material: 'OIL', quantityPerUnit: 0.1, unit: 'l' }] }),
    ]);
    const t = (minute: number) => new Date(Date.parse('2026-11-25T08:00:00Z') + minute * 60_000).toISOString();
    await run('order', 'PO-7', 'PlanOrder', { orderId: 'PO-7', spec }, t(0));
    await run('order', 'PO-7', 'ReleaseOrder', { orderId: 'PO-7' }, t(1));
    await run('order', 'PO-7', 'StartOperation', { orderId: 'PO-7', operationId: '010', machineId: 'M1' }, t(2));
    await run(
      'lot',
      'L-STEEL-1',
      'IssueLot',
      { lotId: 'L-STEEL-1', orderId: 'PO-7', operationId: '010', quantity: 25 },
      t(3),
    );
    await run(
      'order',
      'PO-7',
      'ReportQuantity',
      { orderId: 'PO-7', operationId: '010', good: 10, scrap: 1, scrapReason: 'CHATTER', rework: 0 },
      t(30),
    );
    await run('order', 'PO-7', 'CompleteOperation', { orderId: 'PO-7', operationId: '010' }, t(31));
    await run('order', 'PO-7', 'StartOperation', { orderId: 'PO-7', operationId: '020', machineId: 'M2' }, t(32));
    await run(
      'order',
      'PO-7',
      'ReportQuantity',
      { orderId: 'PO-7', operationId: '020', good: 10, scrap: 0, rework: 0 },
      t(40),
    );
    await run(
      'lot',
      'L-SHAFT-7',
      'ProduceLot',
      { lotId: 'L-SHAFT-7', material: 'SHAFT', orderId: 'PO-7', quantity: 10, unit: 'pcs' },
      t(41),
    );
    await run('order', 'PO-7', 'CompleteOperation', { orderId: 'PO-7', operationId: '020' }, t(42));

    // a backend's consumer of mes.out.> sees the five messages in order
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(OUTBOUND_STREAM, { durable_name: 'erp-wms-reader', ack_policy: AckPolicy.Explicit });
    const consumer = await nc.jetstream().consumers.get(OUTBOUND_STREAM, 'erp-wms-reader');
    const received: JsMsg[] = [];
    await waitFor(async () => {
      const m = await consumer.next({ expires: 1_000 });
      if (m) {
        m.ack();
        received.push(m);
      }
      return received.length >= 5 ? true : undefined;
    }, 'five outbound messages on NATS');
    expect(received.map((m) => m.subject)).to.deep.equal([
      'mes.out.wms.MaterialRequest',
      'mes.out.erp.ProductionPerformance',
      'mes.out.erp.ProductionPerformance',
      'mes.out.erp.ProductionPerformance',
      'mes.out.wms.FinishedGoodsReceipt',
    ]);
    const request = JSON.parse(sc.decode(received[0]!.data)) as Record<string, unknown>;
    expect(request).to.deep.include({ requestId: 'MR-PO-7', orderId: 'PO-7', product: 'SHAFT', quantity: 10 });
    expect(request['lines']).to.deep.equal([
      { operationId: '010', workCenter: 'WC-010', material: 'STEEL', quantity: 25, unit: 'kg' },
      { operationId: '020', workCenter: 'WC-020', material: 'OIL', quantity: 1, unit: 'l' },
    ]);
    const response = performance(received[1]!);
    expect(response.ProductionRequestID).to.equal('PR-9');
    const segment = response.SegmentResponse[0]!;
    expect(segment).to.deep.include({
      ID: 'PO-7-010',
      ProcessSegmentID: 'TURN',
      ActualStartTime: t(2),
      ActualEndTime: t(31),
    });
    expect(segment.EquipmentActual[0]?.EquipmentID).to.equal('M1');
    expect(segment.MaterialActual[0]).to.deep.include({
      MaterialDefinitionID: 'STEEL',
      MaterialLotID: 'L-STEEL-1',
      MaterialUse: 'Consumed',
    });
    expect(segment.MaterialActual[0]?.Quantity[0]?.QuantityString).to.equal('25');
    expect(segment.MaterialActual[1]?.Quantity.map((q) => [q.Key, q.QuantityString])).to.deep.equal([
      ['good', '10'],
      ['scrap', '1'],
    ]);
    const final = performance(received[3]!);
    expect(final.ResponseState).to.equal('Completed');
    // the operations, then the order as a whole: its lots and totals (V0600 has MaterialActual only in a segment)
    expect(final.SegmentResponse.map((s) => s.ID)).to.deep.equal(['PO-7-010', 'PO-7-020', 'PO-7']);
    const whole = final.SegmentResponse[2]!;
    expect(whole.MaterialActual[0]).to.deep.include({ MaterialLotID: 'L-SHAFT-7', MaterialUse: 'Produced' });
    // 10 good at the last operation; 1 scrapped at turning plus 0 at packing
    expect(whole.MaterialActual[1]?.Quantity.map((q) => [q.Key, q.QuantityString])).to.deep.equal([
      ['good', '10'],
      ['scrap', '1'],
    ]);
    // every ERP document: the V0600 namespace and the element order of the V0600 types
    for (const m of received.filter((r) => r.subject === 'mes.out.erp.ProductionPerformance')) {
      const document = sc.decode(m.data);
      expect(document).to.include('<ProductionPerformance xmlns="http://www.mesa.org/xml/B2MML-V0600">');
      expect(v0600Violations(document), document).to.deep.equal([]);
    }
    expect(JSON.parse(sc.decode(received[4]!.data))).to.deep.include({
      receiptId: 'FG-PO-7',
      quantity: 10,
      lots: ['L-SHAFT-7'],
    });
    expect(received.every((m) => m.headers?.get('Nats-Msg-Id') === m.headers?.get('Idempotency-Key'))).to.equal(true);

    // the ERP over HTTP: two 503s, then the three documents, in order, each accepted once
    await waitFor(
      () => (erpRequests.filter((r) => r.status === 200).length >= 3 ? true : undefined),
      'the ERP to accept all three',
    );
    const accepted = erpRequests.filter((r) => r.status === 200);
    expect(accepted.map((r) => r.kind)).to.deep.equal([
      'ProductionPerformance',
      'ProductionPerformance',
      'ProductionPerformance',
    ]);
    expect(new Set(accepted.map((r) => r.key)).size).to.equal(3);
    expect(
      erpRequests.slice(0, 3).map((r) => r.key),
      'the same message retried',
    ).to.deep.equal(Array(3).fill(erpRequests[0]!.key));
    expect(erpRequests[2]!.at - erpRequests[1]!.at, 'the second retry waits longer').to.be.greaterThan(
      (erpRequests[1]!.at - erpRequests[0]!.at) * 1.1,
    );
    expect(accepted[0]!.body).to.equal(sc.decode(received[1]!.data));

    // restarted, even from an empty checkpoint, the outbox queues and sends nothing twice
    await outbox.stop();
    outbox = undefined;
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(outboxPath);
    raw.exec('DELETE FROM outbox_checkpoint');
    raw.close();
    outbox = await startOutbox({ store, path: outboxPath, destinations, logger, retry: { baseMs: 100 } });
    await new Promise((r) => setTimeout(r, 500));
    const rows = outbox.rows();
    expect(rows).to.have.length(8);
    expect(rows.every((r) => r.delivered_at !== null)).to.equal(true);
    expect(outbox.status().map((s) => [s.destination, s.pending, s.delivered])).to.deep.equal([
      ['nats', 0, 5],
      ['erp-http', 0, 3],
    ]);
    expect(erpRequests.filter((r) => r.status === 200)).to.have.length(3);
    expect((await jsm.streams.info(OUTBOUND_STREAM)).state.messages).to.equal(5);
  });
});
