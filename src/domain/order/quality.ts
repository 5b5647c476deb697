import { refuse } from '../errors';
import type { Characteristic, OrderEvent } from './events';
import type { ExistingOrder, OperationState } from './state';

/** What a routing inspection checks when the routing names nothing: a visual attribute check. */
export const DEFAULT_CHARACTERISTICS: Characteristic[] = [{ name: 'visual', kind: 'attribute' }];

const isFinished = (state: ExistingOrder): boolean =>
  state.status === 'Completed' || state.status === 'Closed' || state.status === 'Cancelled';

/** The lot an operation's output becomes for its routing inspection. */
export const wipLotId = (orderId: string, operationId: string): string => `WIP-${orderId}-${operationId}`;

/**
 * A scrap disposition of a nonconformance on an operation's output: the units go from good to scrap,
 * so the next operation receives fewer and the order's good quantity (what the ERP and the WMS are
 * told at completion) shrinks by them. Refused on a finished order and beyond the good units.
 */
export const scrapNonconforming = (
  state: ExistingOrder,
  data: { operationId: string; nonconformanceId: string; quantity: number; reasonCode?: string },
  now: string,
): OrderEvent[] => {
  const { orderId } = state;
  const { operationId, nonconformanceId, quantity, reasonCode } = data;
  if (isFinished(state))
    refuse('order-finished', `order ${orderId} is ${state.status}; its good quantity is reported`, { orderId });
  const op = state.operations.find((o) => o.operationId === operationId);
  if (!op) return refuse('unknown-operation', `order ${orderId} has no operation ${operationId}`, { orderId });
  if (quantity > op.good + 1e-9)
    refuse(
      'scrap-exceeds-good',
      `operation ${operationId} has ${op.good} good units; ${quantity} cannot be scrapped from them`,
      { orderId, operationId, good: op.good, quantity },
    );
  return [
    {
      type: 'NonconformingScrapped',
      data: {
        orderId,
        operationId,
        workCenter: op.workCenter,
        nonconformanceId,
        quantity,
        ...(reasonCode ? { reasonCode } : {}),
        scrappedAt: now,
      },
    },
  ];
};

/**
 * A rework disposition of an operation's output: a rework operation `<operation>-RW<n>` at the same
 * work center, for the units in rework, ready at once (it joins the queue; its nonconformance still
 * holds the operations after the reworked one). It is started, reported and completed like any operation.
 */
export const addReworkOperation = (
  state: ExistingOrder,
  data: { operationId: string; nonconformanceId: string; quantity: number },
  now: string,
): OrderEvent[] => {
  const { orderId } = state;
  const { operationId, nonconformanceId, quantity } = data;
  if (isFinished(state)) refuse('order-finished', `order ${orderId} is ${state.status}`, { orderId });
  const origin = state.operations.find((o) => o.operationId === operationId);
  if (!origin) return refuse('unknown-operation', `order ${orderId} has no operation ${operationId}`, { orderId });
  const n = (state.reworks ?? []).filter((r) => r.reworkOf?.operationId === operationId).length + 1;
  const reworkId = `${operationId}-RW${n}`;
  const plannedMinutes = reworkMinutes(state, operationId, quantity);
  const added: OrderEvent = {
    type: 'ReworkOperationAdded',
    data: {
      orderId,
      operationId: reworkId,
      reworkOf: operationId,
      nonconformanceId,
      workCenter: origin.workCenter,
      quantity,
      plannedMinutes,
    },
  };
  // an order on hold queues nothing: the rework joins its work center's queue when the order resumes
  if (state.status === 'OnHold') return [added];
  return [
    added,
    reworkReady(state, { operationId: reworkId, workCenter: origin.workCenter, reworkOf: operationId, quantity }, now),
  ];
};

const reworkMinutes = (state: ExistingOrder, reworkOf: string, quantity: number): number =>
  (state.spec.routing?.operations.find((o) => o.operationId === reworkOf)?.standardMinutesPerUnit ?? 0) * quantity;

/** A rework operation joins its work center's queue (when added, and again when its held order resumes). */
export const reworkReady = (
  state: ExistingOrder,
  rework: { operationId: string; workCenter: string; reworkOf: string; quantity: number },
  now: string,
): OrderEvent => {
  const { orderId, spec } = state;
  return {
    type: 'OperationReady',
    data: {
      orderId,
      operationId: rework.operationId,
      workCenter: rework.workCenter,
      product: spec.product,
      quantity: rework.quantity,
      priority: spec.priority,
      dueDate: spec.dueDate,
      releasedAt: state.releasedAt ?? now,
      plannedMinutes: reworkMinutes(state, rework.reworkOf, rework.quantity),
    },
  };
};

/**
 * A rework operation completes: its good units go to a re-inspection of the nonconformance, with
 * the reworked operation's characteristics, on the same lot.
 */
export const completeRework = (state: ExistingOrder, op: OperationState, now: string): OrderEvent[] => {
  const { orderId, spec } = state;
  const reworkOf = op.reworkOf;
  if (!reworkOf) return [];
  const characteristics =
    spec.routing?.operations.find((o) => o.operationId === reworkOf.operationId)?.characteristics ??
    DEFAULT_CHARACTERISTICS;
  return [
    {
      type: 'OperationCompleted',
      data: {
        orderId,
        operationId: op.operationId,
        workCenter: op.workCenter,
        good: op.good,
        scrap: op.scrap,
        rework: op.rework,
        startedAt: op.startedAt ?? now,
        completedAt: now,
        last: false,
        reworkOf: reworkOf.nonconformanceId,
        ...(op.machineId ? { machineId: op.machineId } : {}),
      },
    },
    {
      type: 'QualityLoopOpened',
      data: {
        orderId,
        loopId: `${reworkOf.nonconformanceId}-${op.operationId}`,
        kind: 'inspection',
        operationId: op.operationId,
        reason: 'routing',
        characteristics,
        reinspectionOf: reworkOf.nonconformanceId,
        lotId: wipLotId(orderId, reworkOf.operationId),
        quantity: op.good,
        unit: spec.unit,
        product: spec.product,
      },
    },
  ];
};
