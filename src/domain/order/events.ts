import type { Event } from '../messages';
import type * as Schema from '../generated';

export type MaterialRequirement = Schema.Material;

/** What an inspection checks: a measured value against limits, or an attribute that passes or fails. */
export type Characteristic = Schema.Characteristic;

/**
 * An operation of a routing. `operationId` is unique within the routing (e.g. `010`), `code` says what
 * is done (e.g. `TURN`), `characteristics` what its inspection checks (a visual attribute check when
 * the routing names none), `materials` its bill of materials.
 */
export type RoutingOperation = Schema.RoutingOperation;

/** `overlap`: whether an operation may start once the previous one has started (else: once it completed). */
export type Routing = Schema.Routing;

/**
 * What planning decides about an order; the ERP or a planner supplies it. `priority`: 1 is the most
 * urgent, 9 the least; `overrunTolerance`: good units an operation may report beyond what it received,
 * as a fraction (0.05 = 5%); `erpRequestId`: the ERP's ProductionRequest ID when the order came from a
 * B2MML schedule.
 */
export type OrderSpec = Schema.OrderSpec;

/** The master-data versions an order took at release. */
export type MasterVersion = Schema.MasterVersion;
export type MasterVersions = Schema.MasterVersions;

/** An operation in a work center's queue, as far as its order has gone. */
export type QueuedOperation = Schema.Queued[number];

export type OrderPlanned = Event<'OrderPlanned', Schema.OrderPlannedV1>;
export type OrderRevised = Event<'OrderRevised', Schema.OrderRevisedV1>;
export type OrderReleased = Event<'OrderReleased', Schema.OrderReleasedV1>;
/** `plannedMinutes`: setup plus standard time for the order quantity. */
export type OperationReady = Event<'OperationReady', Schema.OperationReadyV1>;
export type OrderHeld = Event<'OrderHeld', Schema.OrderHeldV1>;
export type OrderResumed = Event<'OrderResumed', Schema.OrderResumedV1>;
export type OrderReprioritised = Event<'OrderReprioritised', Schema.OrderReprioritisedV1>;
export type OrderCancelled = Event<'OrderCancelled', Schema.OrderCancelledV1>;
export type OperationStarted = Event<'OperationStarted', Schema.OperationStartedV1>;
export type OperationPaused = Event<'OperationPaused', Schema.OperationPausedV1>;
export type OperationResumed = Event<'OperationResumed', Schema.OperationResumedV1>;
export type OperationQuantityReported = Event<'OperationQuantityReported', Schema.OperationQuantityReportedV1>;
export type OperationCompleted = Event<'OperationCompleted', Schema.OperationCompletedV1>;
/**
 * `reason` routing: the operation requires an inspection (`characteristics` says what to check);
 * tracked: the loop mirrors another stream.
 */
export type QualityLoopOpened = Event<'QualityLoopOpened', Schema.QualityLoopOpenedV1>;
export type QualityLoopClosed = Event<'QualityLoopClosed', Schema.QualityLoopClosedV1>;
/** A quality user released a hold point with a reason; its inspection or nonconformance stays open. */
export type HoldReleased = Event<'HoldReleased', Schema.HoldReleasedV1>;
/** A scrap disposition took units of an operation's output from good to scrap. */
export type NonconformingScrapped = Event<'NonconformingScrapped', Schema.NonconformingScrappedV1>;
/** A rework disposition added a rework operation, outside the routing's sequence. */
export type ReworkOperationAdded = Event<'ReworkOperationAdded', Schema.ReworkOperationAddedV1>;
export type OrderCompleted = Event<'OrderCompleted', Schema.OrderCompletedV1>;
export type OrderClosed = Event<'OrderClosed', Schema.OrderClosedV1>;

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
  | HoldReleased
  | NonconformingScrapped
  | ReworkOperationAdded
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
  'HoldReleased',
  'NonconformingScrapped',
  'ReworkOperationAdded',
  'OrderCompleted',
  'OrderClosed',
] as const satisfies readonly OrderEvent['type'][];
