import { unreachable } from '../messages';
import type { MasterVersions, OrderEvent, OrderSpec } from './events';
import { evolveHolds, type Hold } from './holds';

export type OperationStatus = 'pending' | 'ready' | 'running' | 'paused' | 'completed';

export type OperationState = {
  operationId: string;
  workCenter: string;
  inspectionRequired: boolean;
  status: OperationStatus;
  good: number;
  scrap: number;
  rework: number;
  machineId?: string;
  startedAt?: string;
  /** A rework operation: the operation whose output it reworks, the nonconformance, and its units. */
  reworkOf?: { operationId: string; nonconformanceId: string; quantity: number };
};

type OrderBody = {
  orderId: string;
  spec: OrderSpec;
  revision: number;
  operations: OperationState[];
  /** Open inspections and nonconformances: the order cannot complete while one is open. */
  openLoops: string[];
  /** Hold points in force or released (absent until the first one). */
  holds?: Hold[];
  /** Rework operations added by rework dispositions, outside the routing's sequence (absent until one). */
  reworks?: OperationState[];
  releasedAt?: string;
  /** The master-data versions the order took at release, when its routing came from master data. */
  masterData?: MasterVersions;
};

export type ActiveStatus = 'Planned' | 'Released' | 'InProgress';

export type OrderState =
  | { status: 'Initial' }
  | (OrderBody & { status: 'Planned' })
  | (OrderBody & { status: 'Released'; releasedAt: string })
  | (OrderBody & { status: 'InProgress'; releasedAt: string })
  | (OrderBody & { status: 'OnHold'; heldFrom: ActiveStatus })
  | (OrderBody & { status: 'Completed'; completedAt: string })
  | (OrderBody & { status: 'Closed' })
  | (OrderBody & { status: 'Cancelled' });

export type ExistingOrder = Exclude<OrderState, { status: 'Initial' }>;

export const initialOrderState: OrderState = { status: 'Initial' };

const operationsOf = (spec: OrderSpec): OperationState[] =>
  (spec.routing?.operations ?? []).map((op) => ({
    operationId: op.operationId,
    workCenter: op.workCenter,
    inspectionRequired: op.inspectionRequired,
    status: 'pending',
    good: 0,
    scrap: 0,
    rework: 0,
  }));

const withOperation = (state: ExistingOrder, operationId: string, change: (op: OperationState) => OperationState) => ({
  ...state,
  operations: state.operations.map((op) => (op.operationId === operationId ? change(op) : op)),
  ...(state.reworks ? { reworks: state.reworks.map((op) => (op.operationId === operationId ? change(op) : op)) } : {}),
});

/** The state with its holds brought past the event (left absent while there are none). */
const withHolds = <S extends ExistingOrder>(state: S, event: OrderEvent): S => {
  const holds = evolveHolds(state.holds, event);
  return holds ? { ...state, holds } : state;
};

export const evolveOrder = (state: OrderState, event: OrderEvent): OrderState => {
  if (event.type === 'OrderPlanned') {
    const { orderId, spec } = event.data;
    return { status: 'Planned', orderId, spec, revision: 0, operations: operationsOf(spec), openLoops: [] };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'OrderRevised': {
      const keepProgress = state.status !== 'Planned';
      return {
        ...state,
        spec: event.data.spec,
        revision: event.data.revision,
        operations: keepProgress ? state.operations : operationsOf(event.data.spec),
      };
    }
    case 'OrderReleased': {
      const { releasedAt, routing, masterData } = event.data;
      if (!routing) return { ...state, status: 'Released', releasedAt };
      const spec = { ...state.spec, routing };
      return { ...state, status: 'Released', releasedAt, spec, operations: operationsOf(spec), masterData };
    }
    case 'OperationReady':
      return withOperation(state, event.data.operationId, (op) => ({ ...op, status: 'ready' }));
    case 'OrderHeld':
      return state.status === 'Planned' || state.status === 'Released' || state.status === 'InProgress'
        ? { ...state, status: 'OnHold', heldFrom: state.status }
        : state;
    case 'OrderResumed':
      if (state.status !== 'OnHold') return state;
      if (state.heldFrom === 'Planned') return { ...state, status: 'Planned' };
      return { ...state, status: state.heldFrom, releasedAt: state.releasedAt ?? '' };
    case 'OrderReprioritised':
      return { ...state, spec: { ...state.spec, priority: event.data.priority } };
    case 'OrderCancelled':
      return { ...state, status: 'Cancelled' };
    case 'OperationStarted': {
      const next = withOperation(state, event.data.operationId, (op) => ({
        ...op,
        status: 'running',
        startedAt: event.data.startedAt,
        ...(event.data.machineId ? { machineId: event.data.machineId } : {}),
      }));
      return next.status === 'Released' ? { ...next, status: 'InProgress' } : next;
    }
    case 'OperationPaused':
      return withOperation(state, event.data.operationId, (op) => ({ ...op, status: 'paused' }));
    case 'OperationResumed':
      return withOperation(state, event.data.operationId, (op) => ({ ...op, status: 'running' }));
    case 'OperationQuantityReported': {
      const { good, scrap, rework } = event.data;
      const next = withOperation(state, event.data.operationId, (op) => ({
        ...op,
        good: op.good + good,
        scrap: op.scrap + scrap,
        rework: op.rework + rework,
      }));
      // units a rework operation scraps are no longer good units of the operation it reworks
      const of = state.reworks?.find((r) => r.operationId === event.data.operationId)?.reworkOf?.operationId;
      return of && scrap > 0 ? withOperation(next, of, (op) => ({ ...op, good: Math.max(0, op.good - scrap) })) : next;
    }
    case 'ReworkOperationAdded': {
      const { operationId, workCenter, reworkOf, nonconformanceId, quantity } = event.data;
      const added: OperationState = {
        operationId,
        workCenter,
        inspectionRequired: false,
        status: 'pending',
        good: 0,
        scrap: 0,
        rework: 0,
        reworkOf: { operationId: reworkOf, nonconformanceId, quantity },
      };
      return { ...state, reworks: [...(state.reworks ?? []), added] };
    }
    case 'OperationCompleted':
      return withOperation(state, event.data.operationId, (op) => ({ ...op, status: 'completed' }));
    case 'QualityLoopOpened':
      return state.openLoops.includes(event.data.loopId)
        ? state
        : withHolds({ ...state, openLoops: [...state.openLoops, event.data.loopId] }, event);
    case 'QualityLoopClosed':
      return withHolds({ ...state, openLoops: state.openLoops.filter((id) => id !== event.data.loopId) }, event);
    case 'HoldReleased':
      return withHolds(state, event);
    case 'NonconformingScrapped': {
      const { quantity } = event.data;
      return withOperation(state, event.data.operationId, (op) => ({
        ...op,
        good: Math.max(0, op.good - quantity),
        scrap: op.scrap + quantity,
      }));
    }
    case 'OrderCompleted':
      return { ...state, status: 'Completed', completedAt: event.data.completedAt };
    case 'OrderClosed':
      return { ...state, status: 'Closed' };
    default:
      return unreachable(event);
  }
};
