import { canonicalJson } from '../../lib/canonicalJson';
import { notBefore } from '../clientTime';
import { ForbiddenError, NotFoundError, ValidationError, refuse } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import {
  orderEventTypes,
  type MasterVersions,
  type OperationReady,
  type OrderEvent,
  type OrderSpec,
  type QueuedOperation,
  type Routing,
} from './events';
import { holdOn, holdRule } from './holds';
import {
  DEFAULT_CHARACTERISTICS,
  addReworkOperation,
  completeRework,
  reworkReady,
  scrapNonconforming,
  wipLotId,
} from './quality';
import { evolveOrder, initialOrderState, type ExistingOrder, type OperationState, type OrderState } from './state';

export type PlanOrder = Command<'PlanOrder', { orderId: string; spec: OrderSpec }>;
export type ReviseOrder = Command<'ReviseOrder', { orderId: string; spec: OrderSpec }>;
/**
 * `resolved`: the master routing (with its BOM and inspection plan) in force at release, which the
 * application reads for an order planned without a routing; ignored when the order has one.
 */
export type ReleaseOrder = Command<
  'ReleaseOrder',
  { orderId: string; resolved?: { routing: Routing; masterData: MasterVersions } }
>;
export type HoldOrder = Command<'HoldOrder', { orderId: string } & Schema.ReasonBody>;
export type ResumeOrder = Command<'ResumeOrder', { orderId: string }>;
export type ReprioritiseOrder = Command<'ReprioritiseOrder', { orderId: string } & Schema.ReprioritiseBody>;
export type CancelOrder = Command<'CancelOrder', { orderId: string } & Schema.ReasonBody>;
export type CloseOrder = Command<'CloseOrder', { orderId: string }>;
/** An operation of an order, as the path of an operation's command names it. */
type OperationOf = { orderId: string; operationId: string };
export type StartOperation = Command<'StartOperation', OperationOf & Schema.StartOperationBody>;
export type PauseOperation = Command<'PauseOperation', OperationOf & Schema.OptionalReasonBody>;
export type ResumeOperation = Command<'ResumeOperation', OperationOf>;
export type ReportQuantity = Command<'ReportQuantity', OperationOf & Schema.ReportQuantityBody>;
export type CompleteOperation = Command<'CompleteOperation', OperationOf>;
export type OpenQualityLoop = Command<
  'OpenQualityLoop',
  Pick<Schema.QualityLoopOpenedV1, 'orderId' | 'loopId' | 'kind' | 'operationId'>
>;
export type CloseQualityLoop = Command<'CloseQualityLoop', Schema.QualityLoopClosedV1>;
/** A quality user lets the operations a hold point holds proceed, with a reason. */
export type ReleaseHold = Command<'ReleaseHold', { orderId: string; holdId: string } & Schema.ReasonBody>;
/** Sent by the quality loop for a rework disposition of an operation's output. */
export type AddReworkOperation = Command<
  'AddReworkOperation',
  { orderId: string; operationId: string; nonconformanceId: string; quantity: number }
>;
/** Sent by the quality loop for a scrap disposition of an operation's output. */
export type ScrapNonconforming = Command<
  'ScrapNonconforming',
  Pick<Schema.NonconformingScrappedV1, 'orderId' | 'operationId' | 'nonconformanceId' | 'quantity' | 'reasonCode'>
>;

export type OrderCommand =
  | PlanOrder
  | ReviseOrder
  | ReleaseOrder
  | HoldOrder
  | ResumeOrder
  | ReprioritiseOrder
  | CancelOrder
  | CloseOrder
  | StartOperation
  | PauseOperation
  | ResumeOperation
  | ReportQuantity
  | CompleteOperation
  | OpenQualityLoop
  | CloseQualityLoop
  | ReleaseHold
  | ScrapNonconforming
  | AddReworkOperation;

/** The id of the inspection an operation's routing requires; deterministic, so replays agree. */
export const routingInspectionId = (orderId: string, operationId: string): string => `${orderId}.${operationId}.1`;

const existing = (state: OrderState, orderId: string): ExistingOrder => {
  if (state.status === 'Initial') throw new NotFoundError(`order ${orderId} does not exist`);
  return state;
};

const isFinished = (state: ExistingOrder): boolean =>
  state.status === 'Completed' || state.status === 'Closed' || state.status === 'Cancelled';

const validateSpec = (spec: OrderSpec): void => {
  if (typeof spec.unit !== 'string')
    throw new ValidationError('the order needs a unit', [{ path: '/unit', message: 'is required' }]);
  const ids = (spec.routing?.operations ?? []).map((op) => op.operationId);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) {
    throw new ValidationError(`operation ${repeated} appears twice in the routing`, [
      { path: '/spec/routing/operations', message: `operationId ${repeated} is repeated` },
    ]);
  }
};

/** An operation of the routing at its index, or a rework operation (index -1, outside the sequence). */
const operation = (state: ExistingOrder, operationId: string): { op: OperationState; index: number } => {
  const index = state.operations.findIndex((op) => op.operationId === operationId);
  const op = state.operations[index] ?? state.reworks?.find((r) => r.operationId === operationId);
  if (!op) return refuse('unknown-operation', `order ${state.orderId} has no operation ${operationId}`);
  return { op, index: op.reworkOf ? -1 : index };
};

/** The operations waiting in their work centers' queues: the routing's and the rework operations. */
const queuedOf = (state: ExistingOrder): QueuedOperation[] =>
  [...state.operations, ...(state.reworks ?? [])]
    .filter((op) => op.status === 'ready')
    .map(({ operationId, workCenter }) => ({ operationId, workCenter }));

const readyEvent = (state: ExistingOrder, index: number, releasedAt: string): OperationReady[] => {
  const routed = state.spec.routing?.operations[index];
  if (!routed) return [];
  return [
    {
      type: 'OperationReady',
      data: {
        orderId: state.orderId,
        operationId: routed.operationId,
        workCenter: routed.workCenter,
        product: state.spec.product,
        quantity: state.spec.quantity,
        priority: state.spec.priority,
        dueDate: state.spec.dueDate,
        releasedAt,
        plannedMinutes: routed.setupMinutes + routed.standardMinutesPerUnit * state.spec.quantity,
      },
    },
  ];
};

/** The operation at `index` becomes ready, if it is still waiting and no hold point holds it. */
const ready = (state: ExistingOrder, index: number, releasedAt: string): OperationReady[] =>
  state.operations[index]?.status === 'pending' && !holdOn(state, index) ? readyEvent(state, index, releasedAt) : [];

/**
 * The operations that may now become ready (a hold ended): waiting, not held, and past what the
 * operation before them must have done (started with overlap, else completed).
 */
const readyAfterHold = (state: ExistingOrder): OperationReady[] => {
  if (state.status !== 'Released' && state.status !== 'InProgress') return [];
  const overlap = state.spec.routing?.overlap ?? false;
  return state.operations.flatMap((op, index) => {
    const before = state.operations[index - 1];
    const due =
      before === undefined ||
      (overlap ? before.status !== 'pending' && before.status !== 'ready' : before.status === 'completed');
    return due ? ready(state, index, state.releasedAt) : [];
  });
};

const mustBeWorkable = (state: ExistingOrder): string => {
  const { orderId } = state;
  if (state.status === 'OnHold') return refuse('order-on-hold', `order ${orderId} is on hold`, { orderId });
  if (state.status !== 'Released' && state.status !== 'InProgress') {
    return refuse('order-not-released', `order ${orderId} is ${state.status}, not released`, {
      orderId,
      status: state.status,
    });
  }
  return state.releasedAt;
};

/** OrderCompleted, when every operation is complete and no quality loop is open. */
const completion = (state: ExistingOrder, now: string): OrderEvent[] => {
  const done =
    state.operations.length > 0 &&
    [...state.operations, ...(state.reworks ?? [])].every((op) => op.status === 'completed');
  if (!done || state.openLoops.length > 0 || state.status !== 'InProgress') return [];
  const last = state.operations[state.operations.length - 1] as OperationState;
  const scrap = [...state.operations, ...(state.reworks ?? [])].reduce((sum, op) => sum + op.scrap, 0);
  return [
    {
      type: 'OrderCompleted',
      data: { orderId: state.orderId, product: state.spec.product, good: last.good, scrap, completedAt: now },
    },
  ];
};

/** Decides, then folds, so follow-up events (completion) see the state the first ones made. */
const andThen = (
  state: ExistingOrder,
  first: OrderEvent[],
  next: (after: ExistingOrder) => OrderEvent[],
): OrderEvent[] => {
  const after = first.reduce(evolveOrder, state as OrderState) as ExistingOrder;
  return [...first, ...next(after)];
};

const decideOperation = (
  command: Exclude<
    OrderCommand,
    { type: `${string}Order` | `${string}QualityLoop` | 'ReleaseHold' | 'ScrapNonconforming' | 'AddReworkOperation' }
  >,
  state: ExistingOrder,
): OrderEvent[] => {
  const { orderId, operationId } = command.data;
  const releasedAt = mustBeWorkable(state);
  const now = notBefore(command.meta.now, releasedAt, '/at', 'release', `order ${orderId}'s release`);
  const { op, index } = operation(state, operationId);
  const overlap = state.spec.routing?.overlap ?? false;
  switch (command.type) {
    case 'StartOperation': {
      const hold = op.status === 'pending' || op.status === 'ready' ? holdOn(state, index) : undefined;
      if (hold)
        refuse(
          holdRule(hold),
          `operation ${operationId} is held by ${hold.kind} ${hold.holdId}: it passes, or a quality user releases the hold`,
          { orderId, operationId, holdId: hold.holdId },
        );
      if (op.status === 'pending')
        refuse(
          'previous-operation-not-done',
          `operation ${operationId} is not ready: the one before it has not ${overlap ? 'started' : 'completed'}`,
          { orderId, operationId },
        );
      if (op.status !== 'ready')
        refuse(`operation-${op.status}`, `operation ${operationId} is ${op.status}`, { orderId, operationId });
      const { machineId, operatorId } = command.data;
      const started: OrderEvent = {
        type: 'OperationStarted',
        data: {
          orderId,
          operationId,
          workCenter: op.workCenter,
          startedAt: now,
          ...(machineId ? { machineId } : {}),
          ...(operatorId ? { operatorId } : {}),
        },
      };
      return andThen(state, [started], (after) => (overlap && index >= 0 ? ready(after, index + 1, releasedAt) : []));
    }
    case 'PauseOperation':
      if (op.status !== 'running')
        refuse(`operation-${op.status}`, `operation ${operationId} is ${op.status}, not running`, {
          orderId,
          operationId,
        });
      return [
        {
          type: 'OperationPaused',
          data: {
            orderId,
            operationId,
            pausedAt: now,
            ...(command.data.reason ? { reason: command.data.reason } : {}),
          },
        },
      ];
    case 'ResumeOperation':
      if (op.status !== 'paused')
        refuse(`operation-${op.status}`, `operation ${operationId} is ${op.status}, not paused`, {
          orderId,
          operationId,
        });
      return [{ type: 'OperationResumed', data: { orderId, operationId, resumedAt: now } }];
    case 'ReportQuantity': {
      const { good, scrap, rework, scrapReason } = command.data;
      if (op.status !== 'running' && op.status !== 'paused')
        refuse(
          `operation-${op.status}`,
          `operation ${operationId} is ${op.status}; quantities are reported while it runs`,
          { orderId, operationId },
        );
      if (good + scrap + rework <= 0)
        throw new ValidationError('a report needs a quantity', [
          { path: '/good', message: 'good, scrap and rework are all zero' },
        ]);
      if (scrap > 0 && !scrapReason)
        throw new ValidationError('scrap needs a reason code', [
          { path: '/scrapReason', message: 'is required when scrap > 0' },
        ]);
      const received = op.reworkOf
        ? op.reworkOf.quantity
        : index === 0
          ? state.spec.quantity
          : (state.operations[index - 1] as OperationState).good;
      const limit = Math.floor(received * (1 + state.spec.overrunTolerance) + 1e-9);
      if (op.good + good > limit) {
        refuse(
          'good-exceeds-delivered',
          `operation ${operationId} would have ${op.good + good} good units; it received ${received} (limit ${limit} with tolerance)`,
          { orderId, operationId, good: op.good + good, received, limit },
        );
      }
      return [
        {
          type: 'OperationQuantityReported',
          data: {
            orderId,
            operationId,
            workCenter: op.workCenter,
            good,
            scrap,
            rework,
            reportedAt: now,
            ...(scrapReason ? { scrapReason } : {}),
            ...(op.machineId ? { machineId: op.machineId } : {}),
          },
        },
      ];
    }
    case 'CompleteOperation': {
      if (op.status !== 'running' && op.status !== 'paused')
        refuse(`operation-${op.status}`, `operation ${operationId} is ${op.status}, not started`, {
          orderId,
          operationId,
        });
      if (op.reworkOf) return completeRework(state, op, now);
      const last = index === state.operations.length - 1;
      const completed: OrderEvent[] = [
        {
          type: 'OperationCompleted',
          data: {
            orderId,
            operationId,
            workCenter: op.workCenter,
            good: op.good,
            scrap: op.scrap,
            rework: op.rework,
            startedAt: op.startedAt ?? now,
            completedAt: now,
            last,
            ...(op.machineId ? { machineId: op.machineId } : {}),
          },
        },
      ];
      if (op.inspectionRequired) {
        const characteristics = state.spec.routing?.operations[index]?.characteristics ?? DEFAULT_CHARACTERISTICS;
        completed.push({
          type: 'QualityLoopOpened',
          data: {
            orderId,
            loopId: routingInspectionId(orderId, operationId),
            kind: 'inspection',
            operationId,
            reason: 'routing',
            characteristics,
            // the operation's output, as a lot the inspection names (quarantine and dispositions act on it)
            lotId: wipLotId(orderId, operationId),
            quantity: op.good,
            unit: state.spec.unit,
            product: state.spec.product,
          },
        });
      }
      return andThen(state, completed, (after) => [
        ...(overlap ? [] : ready(after, index + 1, releasedAt)),
        ...completion(after, now),
      ]);
    }
    default:
      return unreachable(command);
  }
};

export const decideOrder = (command: OrderCommand, state: OrderState): OrderEvent[] => {
  const { orderId } = command.data;
  const now = command.meta.now;
  switch (command.type) {
    case 'PlanOrder':
      if (state.status !== 'Initial') refuse('order-exists', `order ${orderId} already exists`);
      validateSpec(command.data.spec);
      return [{ type: 'OrderPlanned', data: { orderId, spec: command.data.spec, plannedAt: now } }];
    case 'ReviseOrder': {
      const order = existing(state, orderId);
      // a routing copied from master data at release stays: a revision need not repeat it
      const spec =
        order.masterData && !command.data.spec.routing
          ? { ...command.data.spec, routing: order.spec.routing }
          : command.data.spec;
      validateSpec(spec);
      if (order.status !== 'Planned' && order.status !== 'Released') {
        refuse(
          order.status === 'InProgress' || order.status === 'OnHold' ? 'order-started' : 'order-finished',
          `order ${orderId} is ${order.status}; only planned or released orders can be revised`,
        );
      }
      // canonical forms: a spec read back from the store has its members in another order than a request's
      if (canonicalJson(order.spec) === canonicalJson(spec)) return [];
      if (
        order.status === 'Released' &&
        canonicalJson(order.spec.routing ?? null) !== canonicalJson(spec.routing ?? null)
      ) {
        refuse('routing-locked', `order ${orderId} is released; its routing can no longer change`);
      }
      // the queued operations take the new priority, due date and quantity in their queues
      const queued = queuedOf(order);
      return [
        {
          type: 'OrderRevised',
          data: { orderId, spec, revision: order.revision + 1, ...(queued.length > 0 ? { queued } : {}) },
        },
      ];
    }
    case 'ReleaseOrder': {
      const order = existing(state, orderId);
      if (order.status !== 'Planned')
        refuse(
          order.status === 'OnHold' ? 'order-on-hold' : 'order-not-planned',
          `order ${orderId} is ${order.status}, not planned`,
        );
      const { resolved } = command.data;
      const copied = order.operations.length === 0 ? resolved : undefined;
      if (order.operations.length === 0 && !copied)
        refuse('routing-required', `order ${orderId} has no routing to release, and its product none in master data`, {
          orderId,
          product: order.spec.product,
        });
      if (copied) validateSpec({ ...order.spec, routing: copied.routing });
      const released: OrderEvent = {
        type: 'OrderReleased',
        data: {
          orderId,
          releasedAt: now,
          ...(copied ? { routing: copied.routing, masterData: copied.masterData } : {}),
        },
      };
      return andThen(order, [released], (after) => ready(after, 0, now));
    }
    case 'HoldOrder': {
      const order = existing(state, orderId);
      if (order.status === 'OnHold') refuse('order-on-hold', `order ${orderId} is already on hold`);
      if (isFinished(order)) refuse('order-finished', `order ${orderId} is ${order.status}`);
      return [{ type: 'OrderHeld', data: { orderId, reason: command.data.reason, queued: queuedOf(order) } }];
    }
    case 'ResumeOrder': {
      const order = existing(state, orderId);
      if (order.status !== 'OnHold') refuse('order-not-on-hold', `order ${orderId} is ${order.status}, not on hold`);
      // ready operations left their queues when the order was held; they join them again
      const requeue = [
        ...order.operations.flatMap((op, index) =>
          op.status === 'ready' ? readyEvent(order, index, order.releasedAt ?? now) : [],
        ),
        // rework operations too, and those added while the order was held (not queued then)
        ...(order.reworks ?? []).flatMap((op) =>
          (op.status === 'ready' || op.status === 'pending') && op.reworkOf
            ? [reworkReady(order, { ...op, reworkOf: op.reworkOf.operationId, quantity: op.reworkOf.quantity }, now)]
            : [],
        ),
      ];
      // and waiting operations whose hold ended while the order was on hold become ready; an order
      // whose last quality loop closed while it was held completes now
      return andThen(order, [{ type: 'OrderResumed', data: { orderId } }, ...requeue], (after) => [
        ...readyAfterHold(after),
        ...completion(after, now),
      ]);
    }
    case 'ReprioritiseOrder': {
      const order = existing(state, orderId);
      if (isFinished(order)) refuse('order-finished', `order ${orderId} is ${order.status}`);
      if (order.spec.priority === command.data.priority) return [];
      return [
        {
          type: 'OrderReprioritised',
          data: { orderId, priority: command.data.priority, previous: order.spec.priority, queued: queuedOf(order) },
        },
      ];
    }
    case 'CancelOrder': {
      const order = existing(state, orderId);
      if (order.status === 'Completed' || order.status === 'Closed')
        refuse('order-completed', `order ${orderId} is ${order.status} and cannot be cancelled`);
      if (order.status === 'Cancelled') refuse('order-cancelled', `order ${orderId} is already cancelled`);
      return [{ type: 'OrderCancelled', data: { orderId, reason: command.data.reason, queued: queuedOf(order) } }];
    }
    case 'CloseOrder': {
      const order = existing(state, orderId);
      if (order.status !== 'Completed')
        refuse('order-not-completed', `order ${orderId} is ${order.status}; only completed orders close`);
      return [{ type: 'OrderClosed', data: { orderId, closedAt: now } }];
    }
    case 'OpenQualityLoop': {
      const order = existing(state, orderId);
      if (order.openLoops.includes(command.data.loopId)) return [];
      const { loopId, kind, operationId } = command.data;
      return [
        {
          type: 'QualityLoopOpened',
          data: { orderId, loopId, kind, reason: 'tracked', ...(operationId ? { operationId } : {}) },
        },
      ];
    }
    case 'CloseQualityLoop': {
      const order = existing(state, orderId);
      if (!order.openLoops.includes(command.data.loopId)) return [];
      return andThen(
        order,
        [{ type: 'QualityLoopClosed', data: { orderId, loopId: command.data.loopId } }],
        (after) => [...readyAfterHold(after), ...completion(after, now)],
      );
    }
    case 'ReleaseHold': {
      const order = existing(state, orderId);
      const { holdId, reason } = command.data;
      const hold = order.holds?.find((h) => h.holdId === holdId);
      if (!hold)
        throw new NotFoundError(`order ${orderId} has no hold ${holdId} (it passed, closed or never held anything)`);
      if (hold.released) return [];
      if (!command.meta.roles?.includes('quality'))
        throw new ForbiddenError(`releasing a hold needs the quality role; ${command.meta.actor} has not`);
      const released: OrderEvent = {
        type: 'HoldReleased',
        data: {
          orderId,
          holdId,
          kind: hold.kind,
          ...(hold.operationId ? { operationId: hold.operationId } : {}),
          reason,
          releasedBy: command.meta.actor,
          releasedAt: now,
        },
      };
      return andThen(order, [released], readyAfterHold);
    }
    case 'ScrapNonconforming':
      return scrapNonconforming(existing(state, orderId), command.data, now);
    case 'AddReworkOperation':
      return addReworkOperation(existing(state, orderId), command.data, now);
    default:
      return decideOperation(command, existing(state, orderId));
  }
};

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  category: 'order',
  initialState: initialOrderState,
  decide: decideOrder,
  evolve: evolveOrder,
  eventTypes: orderEventTypes,
};
