import type { Event } from '../messages';
import type { Names } from '../names';

export type MaterialRequirement = {
  material: string;
  quantityPerUnit: number;
  unit: string;
  /** Fraction added for scrap (0.02 = 2%); default 0. */
  scrapAllowance?: number;
};

/** What an inspection checks: a measured value against limits, or an attribute that passes or fails. */
export type Characteristic =
  | { name: string; kind: 'measured'; names?: Names; nominal?: number; lower?: number; upper?: number; unit?: string }
  | { name: string; kind: 'attribute'; names?: Names };

export type RoutingOperation = {
  /** Unique within the routing, e.g. `010`. */
  operationId: string;
  /** What is done, e.g. `TURN`. */
  code: string;
  names?: Names;
  workCenter: string;
  /** Work centers that can also do the operation (from the master routing). */
  alternativeWorkCenters?: string[];
  standardMinutesPerUnit: number;
  setupMinutes: number;
  inspectionRequired: boolean;
  /** Units to inspect (from the inspection plan). */
  sampleSize?: number;
  instructions?: string;
  instructionsUrl?: string;
  /** What the inspection checks; a visual attribute check when the routing names none. */
  characteristics?: Characteristic[];
  /** Bill of materials of this operation. */
  materials: MaterialRequirement[];
};

export type Routing = {
  /** Whether an operation may start once the previous one has started (else: once it completed). */
  overlap: boolean;
  operations: RoutingOperation[];
};

/** What planning decides about an order; the ERP or a planner supplies it. */
export type OrderSpec = {
  product: string;
  /** The product's names from master data, copied when the order is planned. */
  productNames?: Names;
  quantity: number;
  unit: string;
  /** None for an order made to stock. */
  customer?: string;
  /** 1 is the most urgent, 9 the least. */
  priority: number;
  dueDate: string;
  earliestStart?: string;
  routing?: Routing;
  /** Good units an operation may report beyond what it received, as a fraction (0.05 = 5%). */
  overrunTolerance: number;
  source: 'planner' | 'erp';
  /** The ERP's ProductionRequest ID when the order came from a B2MML schedule. */
  erpRequestId?: string;
};

/** An operation in a work center's queue, as far as its order has gone. */
export type QueuedOperation = { operationId: string; workCenter: string };

export type OrderPlanned = Event<'OrderPlanned', { orderId: string; spec: OrderSpec; plannedAt: string }>;
export type OrderRevised = Event<'OrderRevised', { orderId: string; spec: OrderSpec; revision: number }>;
/** The master-data versions an order took at release (schemas/common/defs.json `masterVersions`). */
export type MasterVersion = { version: number; effectiveFrom: string };
export type MasterVersions = {
  product: MasterVersion;
  routing: MasterVersion;
  bom?: MasterVersion;
  inspectionPlan?: MasterVersion;
};
/** `routing` and `masterData`: the master routing copied into an order planned without one. */
export type OrderReleased = Event<
  'OrderReleased',
  { orderId: string; releasedAt: string; routing?: Routing; masterData?: MasterVersions }
>;
export type OperationReady = Event<
  'OperationReady',
  {
    orderId: string;
    operationId: string;
    workCenter: string;
    product: string;
    quantity: number;
    priority: number;
    dueDate: string;
    releasedAt: string;
    /** Setup plus standard time for the order quantity. */
    plannedMinutes: number;
  }
>;
export type OrderHeld = Event<'OrderHeld', { orderId: string; reason: string; queued: QueuedOperation[] }>;
export type OrderResumed = Event<'OrderResumed', { orderId: string }>;
export type OrderReprioritised = Event<
  'OrderReprioritised',
  { orderId: string; priority: number; previous: number; queued: QueuedOperation[] }
>;
export type OrderCancelled = Event<'OrderCancelled', { orderId: string; reason: string; queued: QueuedOperation[] }>;
export type OperationStarted = Event<
  'OperationStarted',
  {
    orderId: string;
    operationId: string;
    workCenter: string;
    machineId?: string;
    operatorId?: string;
    startedAt: string;
  }
>;
export type OperationPaused = Event<
  'OperationPaused',
  { orderId: string; operationId: string; reason?: string; pausedAt: string }
>;
export type OperationResumed = Event<'OperationResumed', { orderId: string; operationId: string; resumedAt: string }>;
export type OperationQuantityReported = Event<
  'OperationQuantityReported',
  {
    orderId: string;
    operationId: string;
    workCenter: string;
    machineId?: string;
    good: number;
    scrap: number;
    scrapReason?: string;
    rework: number;
    reportedAt: string;
  }
>;
export type OperationCompleted = Event<
  'OperationCompleted',
  {
    orderId: string;
    operationId: string;
    workCenter: string;
    machineId?: string;
    good: number;
    scrap: number;
    rework: number;
    startedAt: string;
    completedAt: string;
    last: boolean;
  }
>;
export type QualityLoopOpened = Event<
  'QualityLoopOpened',
  {
    orderId: string;
    loopId: string;
    kind: 'inspection' | 'nonconformance';
    operationId?: string;
    /** routing: the operation requires an inspection; otherwise the loop mirrors another stream. */
    reason: 'routing' | 'tracked';
    /** For a routing inspection: what to check. */
    characteristics?: Characteristic[];
  }
>;
export type QualityLoopClosed = Event<'QualityLoopClosed', { orderId: string; loopId: string }>;
export type OrderCompleted = Event<
  'OrderCompleted',
  { orderId: string; product: string; good: number; scrap: number; completedAt: string }
>;
export type OrderClosed = Event<'OrderClosed', { orderId: string; closedAt: string }>;

export type OrderEvent =
  | OrderPlanned
  | OrderRevised
  | OrderReleased
  | OperationReady
  | OrderHeld
  | OrderResumed
  | OrderReprioritised
  | OrderCancelled
  | OperationStarted
  | OperationPaused
  | OperationResumed
  | OperationQuantityReported
  | OperationCompleted
  | QualityLoopOpened
  | QualityLoopClosed
  | OrderCompleted
  | OrderClosed;

export const orderEventTypes = [
  'OrderPlanned',
  'OrderRevised',
  'OrderReleased',
  'OperationReady',
  'OrderHeld',
  'OrderResumed',
  'OrderReprioritised',
  'OrderCancelled',
  'OperationStarted',
  'OperationPaused',
  'OperationResumed',
  'OperationQuantityReported',
  'OperationCompleted',
  'QualityLoopOpened',
  'QualityLoopClosed',
  'OrderCompleted',
  'OrderClosed',
] as const satisfies readonly OrderEvent['type'][];
