import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend } from '../../src/app/eventStore';

/**
 * Writes a plant's worth of valid events straight to the store (not through the commands: this is
 * volume for benchmarks and crash tests). Each order is planned, released, queued, started on a
 * machine, reported, completed, clocked and traced through lots; each machine changes state and
 * reports energy and counts. About 40 events per order.
 */
export const generatePlant = async (
  store: EventStore,
  options: { events: number; machines?: number; onProgress?: (written: number) => void },
): Promise<number> => {
  const machines = options.machines ?? 50;
  let clock = Date.parse('2026-01-05T00:00:00.000Z');
  let written = 0;
  // one correlation per order, as one command's consequences would share one: ~40 events across streams
  let correlationId = 'generated';
  const iso = (ms: number) => new Date(ms).toISOString();
  const event = (type: string, data: Record<string, unknown>, at: number): EventToAppend => ({
    id: randomUUID(),
    type,
    data,
    metadata: {
      occurredAt: iso(at),
      actor: 'generator',
      source: 'system',
      correlationId,
      causationId: correlationId,
    },
  });
  const pending = new Map<string, EventToAppend[]>();
  const push = (stream: string, e: EventToAppend) => pending.set(stream, [...(pending.get(stream) ?? []), e]);
  const flush = async () => {
    const appends = [...pending.entries()];
    pending.clear();
    await Promise.all(appends.map(([stream, events]) => store.append(stream, events)));
    written += appends.reduce((sum, [, events]) => sum + events.length, 0);
    options.onProgress?.(written);
  };
  const state = new Map<string, { state: string; since: number }>();
  for (let m = 0; m < machines; m += 1) {
    const machineId = `M${m}`;
    push(
      `machine-${machineId}`,
      event(
        'MachineRegistered',
        {
          machineId,
          code: machineId,
          name: `Machine ${m}`,
          type: 'cell',
          workCenter: `WC-${m % 10}`,
          ratedPowerKw: 15,
          idealCycleSeconds: [{ product: 'SHAFT', seconds: 30 }],
          registeredAt: iso(clock),
        },
        clock,
      ),
    );
    state.set(machineId, { state: 'idle', since: clock });
  }
  await flush();
  const setState = (machineId: string, next: string, at: number) => {
    const current = state.get(machineId) as { state: string; since: number };
    if (current.state === next) return;
    push(
      `machine-${machineId}`,
      event(
        'MachineStateChanged',
        {
          machineId,
          state: next,
          previous: current.state,
          changedAt: iso(at),
          previousSeconds: (at - current.since) / 1000,
          ...(next === 'down' ? { reasonCode: 'JAM' } : {}),
        },
        at,
      ),
    );
    state.set(machineId, { state: next, since: at });
  };
  for (let o = 0; written < options.events; o += 1) {
    const orderId = `GO-${o}`;
    correlationId = `generated-${orderId}`;
    const machineId = `M${o % machines}`;
    const workCenter = `WC-${(o % machines) % 10}`;
    const order = `order-${orderId}`;
    const start = clock;
    const end = start + 60 * 60_000;
    const op = { orderId, operationId: '010', workCenter };
    const spec = {
      product: 'SHAFT',
      quantity: 100,
      unit: 'pcs',
      customer: 'ACME',
      priority: (o % 9) + 1,
      dueDate: iso(start + 86_400_000),
      overrunTolerance: 0,
      source: 'planner',
      routing: {
        overlap: false,
        operations: [
          {
            operationId: '010',
            code: 'TURN',
            workCenter,
            standardMinutesPerUnit: 0.5,
            setupMinutes: 10,
            inspectionRequired: false,
            materials: [],
          },
        ],
      },
    };
    const queued = {
      ...op,
      product: 'SHAFT',
      quantity: 100,
      priority: spec.priority,
      dueDate: spec.dueDate,
      releasedAt: iso(start),
      plannedMinutes: 60,
    };
    push(order, event('OrderPlanned', { orderId, spec, plannedAt: iso(start) }, start));
    push(order, event('OrderReleased', { orderId, releasedAt: iso(start) }, start));
    push(order, event('OperationReady', queued, start));
    push(`workcenter-${workCenter}`, event('OperationQueued', queued, start));
    push(
      order,
      event('OperationStarted', { ...op, machineId, operatorId: `op-${o % 20}`, startedAt: iso(start) }, start),
    );
    push(`workcenter-${workCenter}`, event('OperationDequeued', { ...op, reason: 'started' }, start));
    push(
      `operator-op-${o % 20}`,
      event('OperatorClockedIn', { operatorId: `op-${o % 20}`, orderId, operationId: '010', at: iso(start) }, start),
    );
    push(
      `lot-RAW-${o}`,
      event(
        'LotReceived',
        {
          lotId: `RAW-${o}`,
          material: 'BAR',
          quantity: 50,
          unit: 'kg',
          supplier: 'Steel Co',
          supplierLot: `S${o}`,
          receivedAt: iso(start),
          source: 'wms',
        },
        start,
      ),
    );
    push(
      `lot-RAW-${o}`,
      event(
        'LotIssued',
        {
          lotId: `RAW-${o}`,
          material: 'BAR',
          orderId,
          operationId: '010',
          quantity: 50,
          unit: 'kg',
          issuedAt: iso(start),
        },
        start,
      ),
    );
    setState(machineId, 'running', start);
    for (let i = 0; i < 6; i += 1) {
      const from = start + i * 10 * 60_000;
      const to = from + 10 * 60_000;
      push(
        order,
        event(
          'OperationQuantityReported',
          {
            ...op,
            machineId,
            good: 15,
            scrap: i === 3 ? 1 : 0,
            rework: 0,
            reportedAt: iso(to),
            ...(i === 3 ? { scrapReason: 'BURR' } : {}),
          },
          to,
        ),
      );
      push(
        `machine-${machineId}`,
        event('EnergyMeasured', { machineId, intervalStart: iso(from), intervalEnd: iso(to), kWh: 2.5 }, to),
      );
      push(
        `machine-${machineId}`,
        event(
          'ProductionCounted',
          { machineId, intervalStart: iso(from), intervalEnd: iso(to), total: 16, good: 15, product: 'SHAFT' },
          to,
        ),
      );
      if (i === 2) setState(machineId, 'down', to - 60_000);
      if (i === 2) setState(machineId, 'running', to);
    }
    push(
      order,
      event(
        'OperationCompleted',
        { ...op, machineId, good: 90, scrap: 1, rework: 0, startedAt: iso(start), completedAt: iso(end), last: true },
        end,
      ),
    );
    push(order, event('OrderCompleted', { orderId, product: 'SHAFT', good: 90, scrap: 1, completedAt: iso(end) }, end));
    push(
      `operator-op-${o % 20}`,
      event(
        'OperatorClockedOut',
        {
          operatorId: `op-${o % 20}`,
          orderId,
          operationId: '010',
          startedAt: iso(start),
          endedAt: iso(end),
          minutes: 60,
        },
        end,
      ),
    );
    push(
      `lot-FG-${o}`,
      event(
        'LotProduced',
        { lotId: `FG-${o}`, material: 'SHAFT', orderId, quantity: 90, unit: 'pcs', producedAt: iso(end) },
        end,
      ),
    );
    setState(machineId, 'idle', end);
    // machines work in parallel: the clock moves by one order's time per round of machines
    if (o % machines === machines - 1) clock = end + 5 * 60_000;
    if (o % 25 === 24) await flush();
  }
  await flush();
  return written;
};
