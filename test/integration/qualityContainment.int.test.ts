import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { translate, type OrderMemory, type OutboundMessage } from '../../src/adapters/integration/outboundMessages';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import type { CommandContext } from '../../src/app/commandHandler';
import { cardPayload } from '../../src/app/operationCards';
import { asDomainEvent, readPages } from '../../src/app/eventStore';
import type { ReadStore } from '../../src/app/readStore';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { IllegalStateError, ValidationError } from '../../src/domain/errors';
import type { CommandMeta } from '../../src/domain/messages';
import { upcasters } from '../../src/domain/upcasters';
import { createLogger } from '../../src/lib/logger';
import { startServices, type Services } from '../../src/main/services';
import { createProjections } from '../../src/projections';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import { rejection } from '../support/assert';
import { operation, orderSpec } from '../support/fixtures';
import { TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';

/** Every outbound message the log causes, as the outbox's translator decides them. */
const outboundOf = async (store: SqliteEventStore): Promise<OutboundMessage[]> => {
  const memory = new Map<string, OrderMemory>();
  const messages: OutboundMessage[] = [];
  for await (const page of readPages(store)) {
    for (const recorded of page.events) {
      const event = asDomainEvent(recorded);
      if (!event) continue;
      const outcome = translate(event, (id) => memory.get(id));
      if (outcome.orderId && outcome.memory) memory.set(outcome.orderId, outcome.memory);
      if (outcome.orderId && outcome.memory === null) memory.delete(outcome.orderId);
      messages.push(...outcome.messages);
    }
  }
  return messages;
};

type Quantity = { QuantityString: string; Key?: string };
const xml = new XMLParser({ removeNSPrefix: true, parseTagValue: false, isArray: (name) => name === 'Quantity' });

/**
 * Quality containment through the SQLite store with the process managers and read models running:
 * a routing inspection is a hold point, a failed one raises an NC on the operation's output as a
 * lot, a split disposition scraps part of it and the order, the WIP read model, the yields, the ERP
 * and the WMS all count the scrapped units as scrap.
 */
describe('quality containment (SQLite, process managers, read models)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-quality-');
  let store: SqliteEventStore;
  let services: Services;
  let readStore: ReadStore;
  let runtime: ReadModelsRuntime;
  let q: ReadModelQueries;
  const cardKey = randomBytes(32);
  let now = new Date('2026-11-25T01:00:00.000Z');
  const at = (iso: string): void => {
    now = new Date(iso);
  };
  const meta = (actor = 'planner-1', roles?: string[]): CommandMeta => ({
    now: now.toISOString(),
    actor,
    ...(roles ? { roles } : {}),
  });
  const qa = (): CommandMeta => meta('qa-1', ['quality']);
  let n = 0;
  const ctx = (): CommandContext => {
    n += 1;
    return { commandId: `q-${n}`, correlationId: `q-corr-${n}`, source: 'api' };
  };
  const settle = async () => {
    await services.settle();
    await runtime.idle();
  };
  const order = async (orderId: string) => (await services.commands.load('order', orderId)).state;
  const op = (orderId: string, operationId: string, type: string, extra: object = {}) =>
    services.commands.handle(
      'order',
      orderId,
      { type, data: { orderId, operationId, ...extra }, meta: meta('op-1') } as never,
      ctx(),
    );
  const planAndRun010 = async (orderId: string) => {
    const spec = orderSpec({ quantity: 10 }, [
      operation('010', {
        code: 'TURN',
        inspectionRequired: true,
        characteristics: [{ name: 'diameter', kind: 'measured', lower: 9.9, upper: 10.1, unit: 'mm' }],
      }),
      operation('020', { code: 'GRIND' }),
    ]);
    await services.commands.handle(
      'order',
      orderId,
      { type: 'PlanOrder', data: { orderId, spec }, meta: meta() },
      ctx(),
    );
    await services.commands.handle('order', orderId, { type: 'ReleaseOrder', data: { orderId }, meta: meta() }, ctx());
    await op(orderId, '010', 'StartOperation');
    await op(orderId, '010', 'ReportQuantity', { good: 10, scrap: 0, rework: 0 });
    await op(orderId, '010', 'CompleteOperation');
    await settle();
  };

  before(async () => {
    store = createSqliteEventStore({
      path: join(temp.dir, 'events.db'),
      codec: createEventCodec(loadSchemaRegistry(), upcasters),
      pollIntervalMs: 20,
    });
    services = await startServices({
      store,
      checkpoints: createSqliteCheckpointStore(join(temp.dir, 'checkpoints.db')),
      logger: createLogger('error'),
      cardKey,
      clock: () => now,
      overdueIntervalMs: 0,
    });
    readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
    runtime = await startReadModels({ store, readStore, logger: createLogger('error') }, createProjections(TEST_PLANT));
    q = createReadModelQueries(readStore, TEST_PLANT, () => now);
  });
  after(async () => {
    await services.stop();
    await runtime.stop();
    await readStore.close();
    await store.close();
    temp.remove();
  });

  it('holds the next operation until the inspection passes; a failed one holds it by its NC, whose split disposition scraps units the ERP and the WMS no longer count as good', async () => {
    await planAndRun010('PO-Q1');
    // the hold point: 020 is not ready and cannot start while 010's inspection is open
    expect(await order('PO-Q1')).to.deep.include({ openLoops: ['PO-Q1.010.1'] });
    const held = await rejection(op('PO-Q1', '020', 'StartOperation'));
    expect(held).to.be.instanceOf(IllegalStateError);
    expect((held as IllegalStateError).rule).to.equal('inspection-hold');
    // the inspection names the operation's output as a lot of 10
    expect((await services.commands.load('inspection', 'PO-Q1.010.1')).state).to.deep.include({
      subject: {
        orderId: 'PO-Q1',
        operationId: '010',
        lotId: 'WIP-PO-Q1-010',
        product: 'SHAFT',
        quantity: 10,
        unit: 'pcs',
      },
    });
    expect((await services.commands.load('lot', 'WIP-PO-Q1-010')).state).to.deep.include({
      status: 'Available',
      onHand: 10,
      origin: 'wip',
    });

    // it fails: an NC of 10 units, the lot quarantined, 020 held by the NC
    at('2026-11-25T02:00:00.000Z');
    await services.commands.handle(
      'inspection',
      'PO-Q1.010.1',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'PO-Q1.010.1', results: [{ characteristic: 'diameter', value: 10.3 }] },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    expect((await services.commands.load('nonconformance', 'NC-PO-Q1.010.1')).state).to.deep.include({
      status: 'Open',
      quantity: 10,
      due: 10,
    });
    expect((await services.commands.load('lot', 'WIP-PO-Q1-010')).state.status).to.equal('Quarantined');
    const ncHeld = await rejection(op('PO-Q1', '020', 'StartOperation'));
    expect((ncHeld as IllegalStateError).rule).to.equal('nonconformance-hold');

    // a split that does not add up to 10 is refused, naming the field
    const disposition = (dispositions: object[]) =>
      services.commands.handle(
        'nonconformance',
        'NC-PO-Q1.010.1',
        { type: 'DecideDisposition', data: { nonconformanceId: 'NC-PO-Q1.010.1', dispositions }, meta: qa() } as never,
        ctx(),
      );
    const bad = await rejection(
      disposition([
        { disposition: 'scrap', quantity: 3 },
        { disposition: 'use-as-is', quantity: 6 },
      ]),
    );
    expect(bad).to.be.instanceOf(ValidationError);
    expect((bad as ValidationError).problems[0]?.path).to.equal('/dispositions');

    // 3 scrapped, 7 used as they are: the NC closes, the lot keeps 7 and is released, 020 becomes ready
    at('2026-11-25T03:00:00.000Z');
    await disposition([
      { disposition: 'scrap', quantity: 3 },
      { disposition: 'use-as-is', quantity: 7 },
    ]);
    await settle();
    expect((await services.commands.load('nonconformance', 'NC-PO-Q1.010.1')).state).to.deep.include({
      status: 'Closed',
      resolution: 'mixed',
    });
    expect((await services.commands.load('lot', 'WIP-PO-Q1-010')).state).to.deep.include({
      status: 'Available',
      onHand: 7,
    });
    const afterScrap = await order('PO-Q1');
    expect((afterScrap as { operations: object[] }).operations[0]).to.deep.include({ good: 7, scrap: 3 });
    expect(
      (await services.commands.load('inspection', 'PO-Q1.010.1-R')).state.status,
      'pending re-inspection',
    ).to.equal('Cancelled');

    // 020 receives 7: an 8th good unit is refused; it completes with 7 and so does the order
    at('2026-11-25T04:00:00.000Z');
    await op('PO-Q1', '020', 'StartOperation');
    const over = await rejection(op('PO-Q1', '020', 'ReportQuantity', { good: 8, scrap: 0, rework: 0 }));
    expect((over as IllegalStateError).rule).to.equal('good-exceeds-delivered');
    await op('PO-Q1', '020', 'ReportQuantity', { good: 7, scrap: 0, rework: 0 });
    at('2026-11-25T05:00:00.000Z');
    await op('PO-Q1', '020', 'CompleteOperation');
    await settle();
    expect(await order('PO-Q1')).to.deep.include({ status: 'Completed' });

    // the WIP read model and the yields count the 3 as scrap
    const wip = await q.wip.order('PO-Q1');
    const counts = (wip['operations'] as Record<string, unknown>[]).map(
      ({ plannedMinutes: _planned, startedAt: _started, completedAt: _completed, ...rest }) => rest,
    );
    expect(counts).to.deep.equal([
      { operationId: '010', workCenter: 'WC-010', status: 'completed', good: 7, scrap: 3, rework: 0 },
      { operationId: '020', workCenter: 'WC-020', status: 'completed', good: 7, scrap: 0, rework: 0 },
    ]);
    expect(wip['quantityRemaining']).to.equal(3);
    const yields = await q.quality.yields('operation');
    expect(yields.find((y) => y.key === 'SHAFT/010')).to.deep.include({ good: 7, scrap: 3 });

    // the ERP's ProductionPerformance and the WMS receipt report 7 good, 3 scrap (10 reported at 010, 3 scrapped)
    const messages = (await outboundOf(store)).filter((m) => m.orderId === 'PO-Q1');
    const final = messages.find((m) => m.kind === 'ProductionPerformance' && m.body.includes('<ID>PP-PO-Q1</ID>'));
    // V0600 keeps MaterialActual inside a SegmentResponse: the order's totals are its last one's
    type Segment = { MaterialActual?: { Quantity: Quantity[] } | Array<{ Quantity: Quantity[] }> };
    const response = (
      xml.parse(final?.body ?? '') as {
        ProductionPerformance: { ProductionResponse: { SegmentResponse: Segment | Segment[] } };
      }
    ).ProductionPerformance.ProductionResponse;
    const segments = ([] as Segment[]).concat(response.SegmentResponse);
    const produced = ([] as Array<{ Quantity: Quantity[] }>).concat(
      segments[segments.length - 1]?.MaterialActual ?? [],
    );
    const totals = produced[produced.length - 1]?.Quantity ?? [];
    expect(totals.map((x) => [x.Key, x.QuantityString])).to.deep.equal([
      ['good', '7'],
      ['scrap', '3'],
    ]);
    const receipt = messages.find((m) => m.kind === 'FinishedGoodsReceipt');
    expect(JSON.parse(receipt?.body ?? '{}')).to.deep.include({ quantity: 7 });
  });

  it('lets a quality user release a hold with a reason; the inspection still keeps the order open', async () => {
    await planAndRun010('PO-Q2');
    const notQuality = await rejection(
      services.commands.handle(
        'order',
        'PO-Q2',
        { type: 'ReleaseHold', data: { orderId: 'PO-Q2', holdId: 'PO-Q2.010.1', reason: 'x' }, meta: meta() },
        ctx(),
      ),
    );
    expect(notQuality).to.have.property('status', 403);
    await services.commands.handle(
      'order',
      'PO-Q2',
      {
        type: 'ReleaseHold',
        data: { orderId: 'PO-Q2', holdId: 'PO-Q2.010.1', reason: 'lab result tomorrow; customer agreed' },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    await op('PO-Q2', '020', 'StartOperation');
    await op('PO-Q2', '020', 'ReportQuantity', { good: 10, scrap: 0, rework: 0 });
    await op('PO-Q2', '020', 'CompleteOperation');
    await settle();
    expect(await order('PO-Q2')).to.deep.include({ status: 'InProgress', openLoops: ['PO-Q2.010.1'] });
  });

  it('executes a rework disposition as a rework operation, scanned and clocked like any, then re-inspects it', async () => {
    await planAndRun010('PO-Q3');
    at('2026-11-25T06:00:00.000Z');
    await services.commands.handle(
      'inspection',
      'PO-Q3.010.1',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'PO-Q3.010.1', results: [{ characteristic: 'diameter', value: 10.2 }] },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    // 2 scrapped, 8 to rework: a rework operation joins WC-010's queue; the re-inspection waits for it
    await services.commands.handle(
      'nonconformance',
      'NC-PO-Q3.010.1',
      {
        type: 'DecideDisposition',
        data: {
          nonconformanceId: 'NC-PO-Q3.010.1',
          dispositions: [
            { disposition: 'scrap', quantity: 2 },
            { disposition: 'rework', quantity: 8 },
          ],
        },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    const queue = (await services.commands.load('workcenter', 'WC-010')).state.entries;
    expect(queue.map((e) => `${e.orderId}/${e.operationId}/${e.quantity}`)).to.deep.equal(['PO-Q3/010-RW1/8']);
    expect((await services.commands.load('inspection', 'PO-Q3.010.1-R')).state.status).to.equal('Cancelled');
    expect(((await rejection(op('PO-Q3', '020', 'StartOperation'))) as IllegalStateError).rule).to.equal(
      'nonconformance-hold',
    );

    // the operator scans the rework card: start clocks in, complete clocks out; 9 good would be more than 8
    const card = cardPayload(cardKey, { orderId: 'PO-Q3', operationId: '010-RW1' });
    at('2026-11-25T06:10:00.000Z');
    await services.scans.handle(
      { scanId: 'rw-1', card, action: 'start', operatorId: 'op-9' },
      { personId: 'op-9' },
      meta('op-9'),
      'rw-corr-1',
    );
    const over = await rejection(op('PO-Q3', '010-RW1', 'ReportQuantity', { good: 9, scrap: 0, rework: 0 }));
    expect((over as IllegalStateError).rule).to.equal('good-exceeds-delivered');
    at('2026-11-25T06:40:00.000Z');
    await services.scans.handle(
      { scanId: 'rw-2', card, action: 'complete', operatorId: 'op-9', good: 8 },
      { personId: 'op-9' },
      meta('op-9'),
      'rw-corr-2',
    );
    await settle();
    const labour = await store.readStream('operator-op-9');
    expect(labour.map((e) => e.type)).to.deep.equal(['OperatorClockedIn', 'OperatorClockedOut']);
    expect(labour[1]?.data).to.deep.include({ orderId: 'PO-Q3', operationId: '010-RW1', minutes: 30 });

    // the re-inspection of the 8 reworked units, then the NC closes and 020 becomes ready
    const reinspection = 'NC-PO-Q3.010.1-010-RW1';
    expect((await services.commands.load('inspection', reinspection)).state).to.deep.include({
      status: 'Requested',
      reason: 'reinspection',
      reinspectionOf: 'NC-PO-Q3.010.1',
    });
    expect((await services.commands.load('nonconformance', 'NC-PO-Q3.010.1')).state).to.deep.include({
      status: 'Rework',
      reinspectionId: reinspection,
    });
    await services.commands.handle(
      'inspection',
      reinspection,
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: reinspection, results: [{ characteristic: 'diameter', value: 10.0 }] },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    expect((await services.commands.load('nonconformance', 'NC-PO-Q3.010.1')).state).to.deep.include({
      status: 'Closed',
      resolution: 'reinspection-passed',
    });
    expect((await services.commands.load('lot', 'WIP-PO-Q3-010')).state).to.deep.include({
      status: 'Available',
      onHand: 8,
    });
    await op('PO-Q3', '020', 'StartOperation');
    await op('PO-Q3', '020', 'ReportQuantity', { good: 8, scrap: 0, rework: 0 });
    await op('PO-Q3', '020', 'CompleteOperation');
    await settle();
    const orderEvents = await store.readStream('order-PO-Q3');
    expect(orderEvents.find((e) => e.type === 'OrderCompleted')?.data).to.deep.include({ good: 8, scrap: 2 });
    const wip = await q.wip.order('PO-Q3');
    expect(wip['reworks']).to.deep.equal([
      {
        operationId: '010-RW1',
        workCenter: 'WC-010',
        status: 'completed',
        good: 8,
        scrap: 0,
        rework: 0,
        reworkOf: '010',
        nonconformanceId: 'NC-PO-Q3.010.1',
        quantity: 8,
      },
    ]);
  });

  it('inspects a received lot with no order: its failure leads to return to the supplier or use as is', async () => {
    at('2026-11-26T01:00:00.000Z');
    await services.commands.handle(
      'lot',
      'L-STEEL',
      {
        type: 'ReceiveLot',
        data: {
          lotId: 'L-STEEL',
          material: 'STEEL-BAR',
          quantity: 100,
          unit: 'kg',
          supplier: 'Steel Co',
          supplierLot: 'S-9',
          source: 'wms',
        },
        meta: meta('wms'),
      },
      ctx(),
    );
    await services.commands.handle(
      'inspection',
      'I-IN-1',
      {
        type: 'RequestInspection',
        data: {
          inspectionId: 'I-IN-1',
          lotId: 'L-STEEL',
          quantity: 100,
          unit: 'kg',
          reason: 'incoming',
          characteristics: [{ name: 'hardness', kind: 'measured', lower: 50, upper: 60, unit: 'HRC' }],
        },
        meta: qa(),
      },
      ctx(),
    );
    await services.commands.handle(
      'inspection',
      'I-IN-1',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'I-IN-1', results: [{ characteristic: 'hardness', value: 47 }] },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    const raised = (await store.readStream('nonconformance-NC-I-IN-1'))[0];
    expect(raised?.data).to.deep.include({ source: 'incoming-inspection', lotId: 'L-STEEL', quantity: 100 });
    expect(raised?.data).to.not.have.property('orderId');
    expect((await services.commands.load('lot', 'L-STEEL')).state.status).to.equal('Quarantined');
    const decide = (data: object) =>
      services.commands.handle(
        'nonconformance',
        'NC-I-IN-1',
        { type: 'DecideDisposition', data: { nonconformanceId: 'NC-I-IN-1', ...data }, meta: qa() } as never,
        ctx(),
      );
    const rework = await rejection(decide({ disposition: 'rework' }));
    expect((rework as ValidationError).problems[0]?.path).to.equal('/disposition');
    await decide({
      dispositions: [
        { disposition: 'return-to-supplier', quantity: 30 },
        { disposition: 'use-as-is', quantity: 70 },
      ],
    });
    await settle();
    expect((await services.commands.load('lot', 'L-STEEL')).state).to.deep.include({ status: 'Available', onHand: 70 });
    // the genealogy read model agrees: 70 on hand, released (a partial return is not the whole lot)
    const trace = await q.genealogy.forward('L-STEEL');
    expect(trace.lots.find((l) => l['lotId'] === 'L-STEEL')).to.deep.include({ onHand: 70, status: 'released' });
    const loops = await q.quality.loops({ nonconformanceId: 'NC-I-IN-1' });
    expect(loops[0]).to.deep.include({ state: 'closed', resolution: 'mixed', orderId: null, quantity: 100 });
  });

  it('raises an NC by hand from a customer complaint: its order’s later operations are held and its lot quarantined', async () => {
    await planAndRun010('PO-Q5');
    await services.commands.handle(
      'inspection',
      'PO-Q5.010.1',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'PO-Q5.010.1', results: [{ characteristic: 'diameter', value: 10.0 }] },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    const bad = await rejection(
      services.commands.handle(
        'nonconformance',
        'NC-CC-1',
        {
          type: 'RaiseNonconformance',
          data: { nonconformanceId: 'NC-CC-1', source: 'customer-complaint', description: 'burrs', failed: [] },
          meta: qa(),
        },
        ctx(),
      ),
    );
    expect((bad as ValidationError).problems[0]?.path).to.equal('/orderId');
    await services.commands.handle(
      'nonconformance',
      'NC-CC-1',
      {
        type: 'RaiseNonconformance',
        data: {
          nonconformanceId: 'NC-CC-1',
          source: 'customer-complaint',
          description: 'burrs on the shoulder, 4 of the sample returned',
          orderId: 'PO-Q5',
          operationId: '010',
          lotId: 'WIP-PO-Q5-010',
          quantity: 4,
          unit: 'pcs',
          failed: [],
          raisedBy: 'qa-1',
        },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    expect((await services.commands.load('lot', 'WIP-PO-Q5-010')).state.status).to.equal('Quarantined');
    expect(((await rejection(op('PO-Q5', '020', 'StartOperation'))) as IllegalStateError).rule).to.equal(
      'nonconformance-hold',
    );
    await services.commands.handle(
      'nonconformance',
      'NC-CC-1',
      { type: 'DecideDisposition', data: { nonconformanceId: 'NC-CC-1', disposition: 'scrap' }, meta: qa() },
      ctx(),
    );
    await settle();
    const state = await order('PO-Q5');
    expect((state as { operations: object[] }).operations[0]).to.deep.include({ good: 6, scrap: 4 });
    await op('PO-Q5', '020', 'StartOperation');
  });

  it('gives quality its worklists: inspections to do, NCs open, holds in force', async () => {
    await planAndRun010('PO-Q6');
    const ids = (docs: Array<Record<string, unknown>>, field: string) =>
      docs.map((d) => d[field]).filter((id) => String(id).includes('PO-Q6'));
    expect(ids(await q.quality.worklist.inspections(), 'inspectionId')).to.deep.equal(['PO-Q6.010.1']);
    expect(ids(await q.quality.worklist.holds(), 'holdId')).to.deep.equal(['PO-Q6.010.1']);
    await services.commands.handle(
      'inspection',
      'PO-Q6.010.1',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'PO-Q6.010.1', results: [{ characteristic: 'diameter', value: 9.5 }] },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    expect(ids(await q.quality.worklist.inspections(), 'inspectionId')).to.deep.equal(['PO-Q6.010.1-R']);
    const open = (await q.quality.worklist.nonconformances()).filter((d) => d['orderId'] === 'PO-Q6');
    expect(open.map((d): unknown[] => [d['nonconformanceId'], d['state'], d['quantity'], d['lotId']])).to.deep.equal([
      ['NC-PO-Q6.010.1', 'open', 10, 'WIP-PO-Q6-010'],
    ]);
    const holds = (await q.quality.worklist.holds()).filter((d) => d['orderId'] === 'PO-Q6');
    expect(holds.map((d) => [d['holdId'], d['kind'], d['operationId']])).to.deep.equal([
      ['NC-PO-Q6.010.1', 'nonconformance', '010'],
    ]);
    await services.commands.handle(
      'order',
      'PO-Q6',
      {
        type: 'ReleaseHold',
        data: { orderId: 'PO-Q6', holdId: 'NC-PO-Q6.010.1', reason: 'sorted at 020' },
        meta: qa(),
      },
      ctx(),
    );
    await settle();
    expect(ids(await q.quality.worklist.holds(), 'holdId')).to.deep.equal([]);
    expect(ids(await q.quality.worklist.nonconformances(), 'nonconformanceId')).to.deep.equal(['NC-PO-Q6.010.1']);
  });
});
