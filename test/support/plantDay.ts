import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import type { CommandContext } from '../../src/app/commandHandler';
import { createLogger } from '../../src/lib/logger';
import { cardPayload } from '../../src/app/operationCards';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { startServices, type Services } from '../../src/main/services';
import type { CommandMeta } from '../../src/domain/messages';
import { upcasters } from '../../src/domain/upcasters';
import { operation, orderSpec } from './fixtures';

/**
 * A scripted production day at a plant in Asia/Shanghai (shift A is 08:00-16:00 local, 00:00-08:00
 * UTC), driven through the real commands, scans and process managers. Every figure the read-model
 * tests expect is worked out by hand in the comments next to the step that causes it.
 */
export const PLANT_DAY = '2026-11-25';

export const openPlantStore = (dir: string): SqliteEventStore =>
  createSqliteEventStore({
    path: join(dir, 'events.db'),
    codec: createEventCodec(loadSchemaRegistry(), upcasters),
    pollIntervalMs: 20,
  });

export const runPlantDay = async (store: SqliteEventStore, dir: string): Promise<void> => {
  const cardKey = randomBytes(32);
  let now = new Date('2026-11-24T00:00:00.000Z');
  const services: Services = await startServices({
    store,
    checkpoints: createSqliteCheckpointStore(join(dir, 'checkpoints.db')),
    logger: createLogger('error'),
    cardKey,
    clock: () => now,
    overdueIntervalMs: 0,
  });
  const at = (iso: string) => (now = new Date(iso));
  const meta = (actor = 'planner', roles?: string[]): CommandMeta => ({
    now: now.toISOString(),
    actor,
    ...(roles ? { roles } : {}),
  });
  let n = 0;
  const ctx = (): CommandContext => ({ commandId: `day-${(n += 1)}`, correlationId: `day-${n}`, source: 'api' });
  const { commands, scans } = services;
  const machine = (machineId: string, workCenter: string) =>
    commands.handle(
      'machine',
      machineId,
      {
        type: 'RegisterMachine',
        data: {
          machineId,
          code: machineId,
          name: machineId,
          type: 'lathe',
          workCenter,
          ratedPowerKw: 15,
          idealCycleSeconds: [{ product: 'SHAFT', seconds: 36 }],
        },
        meta: meta(),
      },
      ctx(),
    );
  const state = (
    machineId: string,
    state: 'running' | 'idle' | 'setup' | 'down' | 'maintenance',
    iso: string,
    reasonCode?: string,
  ) =>
    commands.handle(
      'machine',
      machineId,
      {
        type: 'ChangeMachineState',
        data: { machineId, state, at: iso, ...(reasonCode ? { reasonCode } : {}) },
        meta: meta('device'),
      },
      ctx(),
    );
  const plan = (orderId: string, priority: number, dueDate: string, quantity = 45) =>
    commands.handle(
      'order',
      orderId,
      {
        type: 'PlanOrder',
        data: {
          orderId,
          spec: orderSpec({ product: 'SHAFT', quantity, priority, dueDate }, [
            operation('010', { workCenter: 'WC-TURN', setupMinutes: 30, standardMinutesPerUnit: 2 }),
          ]),
        },
        meta: meta(),
      },
      ctx(),
    );
  const release = (orderId: string) =>
    commands.handle('order', orderId, { type: 'ReleaseOrder', data: { orderId }, meta: meta() }, ctx());
  const lot = (lotId: string, material: string) =>
    commands.handle(
      'lot',
      lotId,
      {
        type: 'ReceiveLot',
        data: {
          lotId,
          material,
          quantity: 100,
          unit: 'kg',
          supplier: 'Steel Co',
          supplierLot: `S-${lotId}`,
          source: 'wms',
        },
        meta: meta('wms'),
      },
      ctx(),
    );

  // the evening before: machines, maintenance plans, material
  at('2026-11-24T23:00:00.000Z'); // 07:00 local
  await machine('M1', 'WC-TURN');
  await machine('M2', 'WC-MILL');
  // P1: daily, due 2026-11-25T00:00Z; P3: daily, due 2026-11-24T12:00Z (the later of the two overdue)
  await commands.handle(
    'maintenance',
    'P1',
    {
      type: 'DefineMaintenancePlan',
      data: {
        planId: 'P1',
        machineId: 'M1',
        kind: 'inspection',
        title: 'Lubrication check',
        cycle: { unit: 'days', every: 1 },
        startsAt: '2026-11-24T00:00:00.000Z',
      },
      meta: meta(),
    },
    ctx(),
  );
  await commands.handle(
    'maintenance',
    'P3',
    {
      type: 'DefineMaintenancePlan',
      data: {
        planId: 'P3',
        machineId: 'M1',
        kind: 'maintenance',
        title: 'Coolant change',
        cycle: { unit: 'days', every: 1 },
        startsAt: '2026-11-23T12:00:00.000Z',
      },
      meta: meta(),
    },
    ctx(),
  );
  await commands.handle(
    'maintenance',
    'P2',
    {
      type: 'DefineMaintenancePlan',
      data: {
        planId: 'P2',
        machineId: 'M2',
        kind: 'maintenance',
        title: 'Way cover',
        cycle: { unit: 'days', every: 7 },
        startsAt: '2026-11-20T00:00:00.000Z',
      },
      meta: meta(),
    },
    ctx(),
  );
  for (const [lotId, material] of [
    ['L-1', 'BAR-40'],
    ['L-3', 'BAR-40'],
  ] as const)
    await lot(lotId, material);
  await plan('PO-1', 2, '2026-11-26T00:00:00.000Z', 10);
  await release('PO-1');
  // the queue: PO-2 (priority 1, due earliest), PO-4 (priority 1, due later), PO-5 (priority 3); 120 min each
  await plan('PO-2', 1, '2026-11-25T06:00:00.000Z');
  await plan('PO-4', 1, '2026-11-28T00:00:00.000Z');
  await plan('PO-5', 3, '2026-11-26T00:00:00.000Z');
  for (const id of ['PO-5', 'PO-4', 'PO-2']) await release(id);

  // shift A on M1: setup 1800 s, running 9000 + 15480 = 24480 s, down 1800 s, idle 720 s (28800 s)
  await state('M1', 'setup', '2026-11-25T00:00:00.000Z'); // idle 07:00-08:00 local: 3600 s in shift C
  at('2026-11-25T00:30:00.000Z');
  await state('M1', 'running', '2026-11-25T00:30:00.000Z');
  await scans.handle(
    {
      scanId: 'S1',
      card: cardPayload(cardKey, { orderId: 'PO-1', operationId: '010' }),
      action: 'start',
      operatorId: 'op-1',
      machineId: 'M1',
    },
    { personId: 'op-1' },
    meta('op-1'),
    's1',
  );
  await commands.handle(
    'lot',
    'L-1',
    { type: 'IssueLot', data: { lotId: 'L-1', orderId: 'PO-1', operationId: '010', quantity: 20 }, meta: meta('op-1') },
    ctx(),
  );
  at('2026-11-25T02:00:00.000Z');
  await services.overdue.check(now.toISOString()); // P1 (due 00:00Z) and P3 (due 2026-11-24T12:00Z) are overdue
  await state('M1', 'down', '2026-11-25T03:00:00.000Z', 'SPINDLE');
  await state('M1', 'running', '2026-11-25T03:30:00.000Z');
  at('2026-11-25T04:00:00.000Z');
  // scrap 2 (BURR) and rework 1: good 10, scrap 2, rework 1 -> first-pass yield 10/13, final yield 10/12
  await scans.handle(
    {
      scanId: 'S2',
      card: cardPayload(cardKey, { orderId: 'PO-1', operationId: '010' }),
      action: 'report',
      operatorId: 'op-1',
      scrap: 2,
      scrapReason: 'BURR',
      rework: 1,
    },
    { personId: 'op-1' },
    meta('op-1'),
    's2',
  );
  // an incoming inspection of L-3 for PO-2 fails on diameter: a loop opens at 05:00Z
  at('2026-11-25T05:00:00.000Z');
  await commands.handle(
    'inspection',
    'I-1',
    {
      type: 'RequestInspection',
      data: {
        inspectionId: 'I-1',
        orderId: 'PO-2',
        lotId: 'L-3',
        reason: 'operator',
        characteristics: [{ name: 'diameter', kind: 'measured', lower: 39.9, upper: 40.1 }],
      },
      meta: meta('qa'),
    },
    ctx(),
  );
  await commands.handle(
    'inspection',
    'I-1',
    {
      type: 'RecordInspectionResults',
      data: { inspectionId: 'I-1', results: [{ characteristic: 'diameter', value: 40.3 }] },
      meta: meta('qa'),
    },
    ctx(),
  );
  await services.settle();
  at('2026-11-25T06:00:00.000Z');
  await commands.handle(
    'nonconformance',
    'NC-I-1',
    {
      type: 'DecideDisposition',
      data: { nonconformanceId: 'NC-I-1', disposition: 'rework' },
      meta: meta('qa', ['quality']),
    },
    ctx(),
  );
  // M1 counts: 544 units, 510 good, ideal 36 s each -> 19584 s of ideal time
  await commands.handle(
    'machine',
    'M1',
    {
      type: 'RecordCount',
      data: {
        machineId: 'M1',
        intervalStart: '2026-11-25T01:00:00.000Z',
        intervalEnd: '2026-11-25T02:00:00.000Z',
        total: 300,
        good: 280,
        product: 'SHAFT',
      },
      meta: meta('device'),
    },
    ctx(),
  );
  await commands.handle(
    'machine',
    'M1',
    {
      type: 'RecordCount',
      data: {
        machineId: 'M1',
        intervalStart: '2026-11-25T05:00:00.000Z',
        intervalEnd: '2026-11-25T06:00:00.000Z',
        total: 244,
        good: 230,
        product: 'SHAFT',
      },
      meta: meta('device'),
    },
    ctx(),
  );
  // PO-1 completes at 07:48Z with 10 good; op-1 worked 00:30-07:48 = 438 min = 7.3 h
  at('2026-11-25T07:48:00.000Z');
  await scans.handle(
    {
      scanId: 'S3',
      card: cardPayload(cardKey, { orderId: 'PO-1', operationId: '010' }),
      action: 'complete',
      operatorId: 'op-1',
      good: 10,
    },
    { personId: 'op-1' },
    meta('op-1'),
    's3',
  );
  await state('M1', 'idle', '2026-11-25T07:48:00.000Z');
  await state('M1', 'setup', '2026-11-25T08:00:00.000Z');
  // energy on M1: 2 kWh during setup (overhead); 49.6 kWh while PO-1 runs; 4 kWh over 07:30-08:00 of which
  // PO-1 ran 18 of 30 minutes: 2.4 kWh to PO-1, 1.6 overhead. PO-1: 52 kWh; overhead 3.6; machine 55.6.
  for (const [from, to, kWh] of [
    ['2026-11-25T00:00:00.000Z', '2026-11-25T00:30:00.000Z', 2],
    ['2026-11-25T00:30:00.000Z', '2026-11-25T07:30:00.000Z', 49.6],
    ['2026-11-25T07:30:00.000Z', '2026-11-25T08:00:00.000Z', 4],
  ] as const) {
    await commands.handle(
      'machine',
      'M1',
      {
        type: 'RecordEnergy',
        data: { machineId: 'M1', intervalStart: from, intervalEnd: to, kWh },
        meta: meta('device'),
      },
      ctx(),
    );
  }
  // genealogy: PO-1 makes FG-1 from L-1; FG-1 goes into PO-5 (released, its operation ready), which makes FG-2
  at('2026-11-25T08:10:00.000Z');
  await commands.handle(
    'lot',
    'FG-1',
    {
      type: 'ProduceLot',
      data: { lotId: 'FG-1', material: 'SHAFT', orderId: 'PO-1', quantity: 10, unit: 'pcs' },
      meta: meta('op-1'),
    },
    ctx(),
  );
  await commands.handle(
    'lot',
    'FG-1',
    {
      type: 'IssueLot',
      data: { lotId: 'FG-1', orderId: 'PO-5', operationId: '010', quantity: 10 },
      meta: meta('op-2'),
    },
    ctx(),
  );
  await commands.handle(
    'lot',
    'FG-2',
    {
      type: 'ProduceLot',
      data: { lotId: 'FG-2', material: 'SHAFT', orderId: 'PO-5', quantity: 10, unit: 'pcs' },
      meta: meta('op-2'),
    },
    ctx(),
  );
  await services.settle();
  await services.stop();
};
