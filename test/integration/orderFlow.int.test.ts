import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { readPages } from '../../src/app/eventStore';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import type { CommandContext } from '../../src/app/commandHandler';
import { createLogger } from '../../src/lib/logger';
import { cardPayload } from '../../src/app/operationCards';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { startServices, type Services } from '../../src/main/services';
import { IllegalStateError } from '../../src/domain/errors';
import type { CommandMeta } from '../../src/domain/messages';
import { upcasters } from '../../src/domain/upcasters';
import { makeTempDir } from '../support/tmp';
import { rejection } from '../support/assert';

/**
 * A whole order through the SQLite store, with a clock the test moves: release, scans, a failed
 * inspection that quarantines a lot and asks for a re-inspection, a disposition, a maintenance plan
 * going overdue and being performed, completion.
 */
describe('a whole order through the backbone (SQLite, controlled clock)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-flow-');
  const cardKey = randomBytes(32);
  let store: SqliteEventStore;
  let services: Services;
  let now = new Date('2026-11-25T00:00:00.000Z');
  const at = (iso: string): void => {
    now = new Date(iso);
  };
  const meta = (actor = 'planner-1', roles?: string[]): CommandMeta => ({
    now: now.toISOString(),
    actor,
    ...(roles ? { roles } : {}),
  });
  let n = 0;
  const ctx = (source: CommandContext['source'] = 'api'): CommandContext => {
    n += 1;
    return { commandId: `test-${n}`, correlationId: `corr-${n}`, source };
  };
  const card = (operationId: string): string => cardPayload(cardKey, { orderId: 'PO-1', operationId });
  const orderState = async () => (await services.commands.load('order', 'PO-1')).state;
  const queue = async (workCenter: string) =>
    (await services.commands.load('workcenter', workCenter)).state.entries.map((e) => `${e.orderId}/${e.operationId}`);
  const lotStatus = async () => (await services.commands.load('lot', 'L-CU')).state.status;

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
  });
  after(async () => {
    await services.stop();
    await store.close();
    temp.remove();
  });

  it('runs from planning to completion with the quality loop and maintenance in between', async () => {
    const { commands, scans } = services;
    // the plant: two machines, a maintenance plan, a lot of copper wire
    for (const [machineId, workCenter] of [
      ['M1', 'WC-TURN'],
      ['M2', 'WC-WIND'],
    ] as const) {
      await commands.handle(
        'machine',
        machineId,
        {
          type: 'RegisterMachine',
          data: {
            machineId,
            code: machineId,
            name: machineId,
            type: 'cell',
            workCenter,
            ratedPowerKw: 11,
            idealCycleSeconds: [{ product: 'MOTOR-5KW', seconds: 90 }],
          },
          meta: meta(),
        },
        ctx(),
      );
    }
    await commands.handle(
      'maintenance',
      'P-M1-LUBE',
      {
        type: 'DefineMaintenancePlan',
        data: {
          planId: 'P-M1-LUBE',
          machineId: 'M1',
          kind: 'inspection',
          title: 'Spindle lubrication check',
          cycle: { unit: 'days', every: 1 },
          startsAt: now.toISOString(),
        },
        meta: meta(),
      },
      ctx(),
    );
    await commands.handle(
      'lot',
      'L-CU',
      {
        type: 'ReceiveLot',
        data: {
          lotId: 'L-CU',
          material: 'CU-WIRE',
          quantity: 100,
          unit: 'kg',
          supplier: 'Wire Co',
          supplierLot: 'W-77',
          source: 'wms',
        },
        meta: meta('wms'),
      },
      ctx('wms'),
    );

    // planning and release: the first operation joins its work center's queue
    at('2026-11-25T01:00:00.000Z');
    await commands.handle(
      'order',
      'PO-1',
      {
        type: 'PlanOrder',
        data: {
          orderId: 'PO-1',
          spec: {
            product: 'MOTOR-5KW',
            quantity: 10,
            unit: 'pcs',
            customer: 'ACME',
            priority: 2,
            dueDate: '2026-11-27T17:00:00+08:00',
            overrunTolerance: 0,
            source: 'planner',
            routing: {
              overlap: false,
              operations: [
                {
                  operationId: '010',
                  code: 'TURN',
                  workCenter: 'WC-TURN',
                  standardMinutesPerUnit: 3,
                  setupMinutes: 20,
                  inspectionRequired: false,
                  materials: [],
                },
                {
                  operationId: '020',
                  code: 'WIND',
                  workCenter: 'WC-WIND',
                  standardMinutesPerUnit: 6,
                  setupMinutes: 10,
                  inspectionRequired: true,
                  characteristics: [{ name: 'resistance', kind: 'measured', lower: 0.9, upper: 1.1, unit: 'ohm' }],
                  materials: [{ material: 'CU-WIRE', quantityPerUnit: 2, unit: 'kg' }],
                },
              ],
            },
          },
        },
        meta: meta(),
      },
      ctx(),
    );
    await commands.handle('order', 'PO-1', { type: 'ReleaseOrder', data: { orderId: 'PO-1' }, meta: meta() }, ctx());
    await services.settle();
    expect(await queue('WC-TURN')).to.deep.equal(['PO-1/010']);

    // the operator scans the first card: the operation starts, the operator clocks in, the queue empties
    at('2026-11-25T02:00:00.000Z');
    const startScan = {
      scanId: 'scan-1',
      card: card('010'),
      action: 'start' as const,
      operatorId: 'op-1',
      machineId: 'M1',
    };
    await scans.handle(startScan, { personId: 'op-1' }, meta('op-1'), 'pda-corr-1');
    const retried = await scans.handle(startScan, { personId: 'op-1' }, meta('op-1'), 'pda-corr-1');
    expect(
      retried.results.every((r) => r.duplicate || r.events.length === 0),
      'a retried scan writes nothing',
    ).to.equal(true);
    await services.settle();
    expect(await queue('WC-TURN')).to.deep.equal([]);
    at('2026-11-25T02:50:00.000Z');
    await scans.handle(
      { scanId: 'scan-2', card: card('010'), action: 'complete', operatorId: 'op-1', good: 10 },
      { personId: 'op-1' },
      meta('op-1'),
      'pda-corr-2',
    );
    await services.settle();
    expect(await queue('WC-WIND')).to.deep.equal(['PO-1/020']);
    expect((await services.commands.load('operator', 'op-1')).state.open).to.deep.equal({});

    // incoming inspection of the wire fails: nonconformance, quarantine, re-inspection, order held open
    at('2026-11-25T03:00:00.000Z');
    await commands.handle(
      'inspection',
      'I-CU-1',
      {
        type: 'RequestInspection',
        data: {
          inspectionId: 'I-CU-1',
          orderId: 'PO-1',
          lotId: 'L-CU',
          reason: 'operator',
          characteristics: [{ name: 'diameter', kind: 'measured', lower: 0.98, upper: 1.02, unit: 'mm' }],
        },
        meta: meta('op-2'),
      },
      ctx('pda'),
    );
    await commands.handle(
      'inspection',
      'I-CU-1',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'I-CU-1', results: [{ characteristic: 'diameter', value: 1.05 }] },
        meta: meta('qa-1'),
      },
      ctx(),
    );
    await services.settle();
    expect(await lotStatus()).to.equal('Quarantined');
    expect((await services.commands.load('nonconformance', 'NC-I-CU-1')).state.status).to.equal('Open');
    expect((await services.commands.load('inspection', 'I-CU-1-R')).state).to.deep.include({
      status: 'Requested',
      reason: 'reinspection',
      reinspectionOf: 'NC-I-CU-1',
    });
    expect(await orderState()).to.deep.include({ openLoops: ['NC-I-CU-1', 'I-CU-1-R'] });
    const error = await rejection(
      commands.handle(
        'lot',
        'L-CU',
        {
          type: 'IssueLot',
          data: { lotId: 'L-CU', orderId: 'PO-1', operationId: '020', quantity: 20 },
          meta: meta('op-2'),
        },
        ctx(),
      ),
    ); // a quarantined lot must not be issued
    expect(error).to.be.instanceOf(IllegalStateError);
    expect((error as IllegalStateError).rule).to.equal('lot-quarantined');

    // disposition rework; the re-inspection passes: the loop closes and the lot is released
    at('2026-11-25T04:00:00.000Z');
    await commands.handle(
      'nonconformance',
      'NC-I-CU-1',
      {
        type: 'DecideDisposition',
        data: { nonconformanceId: 'NC-I-CU-1', disposition: 'rework', note: 'straighten and re-measure' },
        meta: meta('qa-1', ['quality']),
      },
      ctx(),
    );
    await commands.handle(
      'inspection',
      'I-CU-1-R',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'I-CU-1-R', results: [{ characteristic: 'diameter', value: 1.01 }] },
        meta: meta('qa-1'),
      },
      ctx(),
    );
    await services.settle();
    expect(await lotStatus()).to.equal('Available');
    expect((await services.commands.load('nonconformance', 'NC-I-CU-1')).state).to.deep.include({
      status: 'Closed',
      resolution: 'reinspection-passed',
    });
    expect(((await orderState()) as { openLoops: string[] }).openLoops).to.deep.equal([]);
    await commands.handle(
      'lot',
      'L-CU',
      {
        type: 'IssueLot',
        data: { lotId: 'L-CU', orderId: 'PO-1', operationId: '020', quantity: 20 },
        meta: meta('op-2'),
      },
      ctx(),
    );

    // the maintenance plan goes overdue: one alarm per due period, cleared when performed
    at('2026-11-26T00:30:00.000Z');
    expect(await services.overdue.check(now.toISOString()), 'alarms raised').to.equal(1);
    expect(await services.overdue.check(now.toISOString()), 'raised again').to.equal(0);
    expect((await services.commands.load('maintenance', 'P-M1-LUBE')).state).to.have.property('alarm');
    at('2026-11-26T01:00:00.000Z');
    const performed = await commands.handle(
      'maintenance',
      'P-M1-LUBE',
      { type: 'PerformMaintenance', data: { planId: 'P-M1-LUBE' }, meta: meta('tech-1') },
      ctx(),
    );
    expect(performed.events.map((e) => e.type)).to.deep.equal(['MaintenancePerformed', 'MaintenanceOverdueCleared']);
    expect(performed.events[0]?.data).to.deep.include({ late: true, nextDue: { dueAt: '2026-11-27T01:00:00.000Z' } });
    expect(await services.overdue.check(now.toISOString())).to.equal(0);

    // the second operation; its routing inspection keeps the order open until it passes
    at('2026-11-26T02:00:00.000Z');
    await scans.handle(
      { scanId: 'scan-3', card: card('020'), action: 'start', operatorId: 'op-2', machineId: 'M2' },
      { personId: 'op-2' },
      meta('op-2'),
      'pda-corr-3',
    );
    at('2026-11-26T03:00:00.000Z');
    await scans.handle(
      {
        scanId: 'scan-4',
        card: card('020'),
        action: 'complete',
        operatorId: 'op-2',
        good: 9,
        scrap: 1,
        scrapReason: 'SHORT',
      },
      { personId: 'op-2' },
      meta('op-2'),
      'pda-corr-4',
    );
    await services.settle();
    expect((await orderState()).status, 'waiting for the routing inspection').to.equal('InProgress');
    expect((await services.commands.load('inspection', 'PO-1.020.1')).state).to.deep.include({
      status: 'Requested',
      reason: 'routing',
    });
    at('2026-11-26T03:30:00.000Z');
    await commands.handle(
      'inspection',
      'PO-1.020.1',
      {
        type: 'RecordInspectionResults',
        data: { inspectionId: 'PO-1.020.1', results: [{ characteristic: 'resistance', value: 1.0 }] },
        meta: meta('qa-1'),
      },
      ctx(),
    );
    await services.settle();
    const final = await orderState();
    expect(final).to.deep.include({ status: 'Completed', completedAt: '2026-11-26T03:30:00.000Z' });

    // the record: labour for payroll, and every stream's chain intact
    const labour = await store.readStream('operator-op-2');
    expect(labour.map((e) => e.type)).to.deep.equal(['OperatorClockedIn', 'OperatorClockedOut']);
    expect(labour[1]?.data).to.deep.include({ orderId: 'PO-1', operationId: '020', minutes: 60 });
    const streams = new Set<string>();
    for await (const page of readPages(store)) page.events.forEach((e) => streams.add(e.streamId));
    for (const stream of streams) expect((await store.verifyStream(stream)).ok, stream).to.equal(true);
    const orderEvents = await store.readStream('order-PO-1');
    expect(orderEvents.find((e) => e.type === 'OperationStarted')?.metadata).to.deep.include({
      source: 'pda',
      actor: 'op-1',
      inputId: 'scan-1',
    });
  });
});
