import type { RecordedDomainEvent } from '../../app/eventStore';
import type { Document } from '../../app/readStore';
import { nonconformanceIdFor } from '../../domain/processes/qualityLoop';
import { localDate } from '../../lib/time';
import { applyReading, UNREAD, type Projection, type ProjectionContext } from '../runner';
import {
  applyReport,
  emptyOperation,
  failInspection,
  FIGURES,
  figuresOf,
  type OperationYield,
  type YieldFigures,
} from './yieldsCore';

type Order = { _id: string; product: string; quantity: number; operations: string[]; lastOperation: string | null };
type Operation = Document &
  OperationYield & { orderId: string; operationId: string; product: string; workCenter: string; day: string };

export type YieldDimension = 'product' | 'operation' | 'workCenter' | 'day';

const keysOf = (op: Operation): Array<[YieldDimension, string]> => [
  ['product', op.product],
  ['operation', `${op.product}/${op.operationId}`],
  ['workCenter', op.workCenter],
  ['day', op.day],
];

const add = (ctx: ProjectionContext, collection: string, id: string, base: Document, counts: Record<string, number>) =>
  ctx.update(collection, id, (doc) => {
    const next = doc ?? base;
    for (const field in counts) next[field] = ((next[field] as number | undefined) ?? 0) + (counts[field] as number);
    return next;
  });

/** A copy of an operation to edit (what structuredClone gave: its inspections are the only nested part). */
const copyOf = (op: Operation): Operation => {
  const inspections: Operation['inspections'] = {};
  for (const id in op.inspections) inspections[id] = { ...(op.inspections[id] as Operation['inspections'][string]) };
  return { ...op, inspections };
};

const EMPTY_FIGURES = figuresOf(emptyOperation(0));

/**
 * Yields: per order and operation the units judged at the first pass and at the end (yieldsCore), and
 * their sums per product, product operation (for the rolled throughput yield), work center and day
 * (of the operation's first report); the defect Pareto in units and in characteristic failures.
 */
export const yieldsProjection = (timeZone: string): Projection => ({
  name: 'yields',
  // 2: scrap dispositions of a nonconformance (NonconformingScrapped) move units from good to scrap;
  // 3: units so moved are not taken off again when the nonconformance closes as scrap
  version: 3,
  collections: {
    orders: {},
    operations: {},
    rollups: { indexes: ['dimension'] },
    defectUnits: {},
    characteristicFailures: {},
    lots: {},
  },
  eventTypes: [
    'OrderPlanned',
    'OrderRevised',
    'OrderReleased',
    'OperationQuantityReported',
    'InspectionFailed',
    'InspectionPassed',
    'NonconformanceClosed',
    'NonconformingScrapped',
    'LotProduced',
  ],
  apply(event, ctx) {
    // a quantity report (most of its events): read first, then written, without an await when its
    // documents are in memory (always, in a rebuild)
    if (event.type === 'OperationQuantityReported') return applyReading(ctx, () => reported(event, ctx, timeZone));
    return applyOther(event, ctx);
  },
});

const applyOther = async (event: RecordedDomainEvent, ctx: ProjectionContext): Promise<void> => {
  const orderOf = async (orderId: string) => (await ctx.get('orders', orderId)) as (Document & Order) | undefined;
  /** Changes an operation and moves the difference of its figures into every roll-up. */
  const change = async (
    orderId: string,
    operationId: string,
    edit: (op: Operation) => void,
    create?: () => Operation,
  ) => {
    const id = `${orderId}/${operationId}`;
    const found = (await ctx.get('operations', id)) as Operation | undefined;
    const op = found ? copyOf(found) : create?.();
    if (!op) return;
    const before: YieldFigures = found ? figuresOf(found) : EMPTY_FIGURES;
    edit(op);
    const after = figuresOf(op);
    await ctx.update('operations', id, () => op);
    const delta: Record<string, number> = {};
    for (const f of FIGURES) delta[f] = after[f] - before[f];
    for (const [dimension, key] of keysOf(op))
      await add(ctx, 'rollups', `${dimension}:${key}`, { _id: '', dimension, key }, delta);
  };
  switch (event.type) {
    case 'OrderPlanned':
    case 'OrderRevised': {
      const { orderId, spec } = event.data;
      return ctx.update('orders', orderId, (doc) => ({
        _id: orderId,
        product: spec.product,
        // the most the first operation may judge: the order quantity with its overrun tolerance
        quantity: Math.floor(spec.quantity * (1 + spec.overrunTolerance) + 1e-9),
        operations: spec.routing?.operations.map((o) => o.operationId) ?? doc?.['operations'] ?? [],
        lastOperation: doc?.['lastOperation'] ?? null,
      }));
    }
    case 'OrderReleased': {
      const { routing } = event.data;
      if (!routing) return;
      return ctx.update('orders', event.data.orderId, (doc) =>
        doc ? Object.assign(doc, { operations: routing.operations.map((o) => o.operationId) }) : undefined,
      );
    }
    case 'LotProduced':
      return ctx.update('lots', event.data.lotId, () => ({ _id: event.data.lotId, quantity: event.data.quantity }));
    case 'InspectionFailed': {
      const { inspectionId, orderId, lotId, failed, reinspectionOf } = event.data;
      for (const { characteristic } of failed)
        await add(ctx, 'characteristicFailures', characteristic, { _id: '', characteristic }, { failures: 1 });
      // a re-inspection judges reworked units, not a first pass; an incoming inspection no order's
      if (reinspectionOf || !orderId) return;
      const operationId = event.data.operationId ?? (await orderOf(orderId))?.lastOperation;
      if (!operationId) return;
      const lotUnits = lotId ? ((await ctx.get('lots', lotId))?.['quantity'] as number | undefined) : undefined;
      let out = 0;
      await change(orderId, operationId, (op) => {
        out = failInspection(op, nonconformanceIdFor(inspectionId), lotUnits ?? op.firstPassGood);
      });
      if (out > 0) {
        const reason = failed
          .map((f) => f.characteristic)
          .sort()
          .join('+');
        await add(ctx, 'defectUnits', `inspection:${reason}`, { _id: '', kind: 'inspection', reason }, { units: out });
      }
      return;
    }
    case 'NonconformingScrapped': {
      // a split disposition scrapped part of an operation's output: those units are good no more
      const { orderId, operationId, quantity, nonconformanceId } = event.data;
      return change(orderId, operationId, (op) => {
        const moved = Math.min(quantity, op.good);
        op.good -= moved;
        op.scrap += moved;
        const inspection = op.inspections[nonconformanceId];
        if (inspection) inspection.scrapped = (inspection.scrapped ?? 0) + moved;
      });
    }
    case 'InspectionPassed':
    case 'NonconformanceClosed': {
      const nonconformanceId =
        event.type === 'InspectionPassed' ? event.data.reinspectionOf : event.data.nonconformanceId;
      const { orderId } = event.data;
      if (!nonconformanceId || !orderId) return;
      const operationId = event.data.operationId ?? (await orderOf(orderId))?.lastOperation;
      if (!operationId) return;
      const lost =
        event.type === 'NonconformanceClosed' &&
        (event.data.resolution === 'scrap' || event.data.resolution === 'return-to-supplier');
      return change(orderId, operationId, (op) => {
        const inspection = op.inspections[nonconformanceId];
        if (inspection && inspection.state !== 'lost') inspection.state = lost ? 'lost' : 'recovered';
      });
    }
    default:
      return;
  }
};

/**
 * A quantity report, for `applyReading`: the order, the previous operation and this one read with
 * `peek`, the operation changed on a copy, the roll-ups and defect counts it adds to read, then
 * everything written, each write done at once. UNREAD, before anything is written, when a document must
 * first be read from the store.
 */
const reported = (
  event: Extract<RecordedDomainEvent, { type: 'OperationQuantityReported' }>,
  ctx: ProjectionContext,
  timeZone: string,
): void | typeof UNREAD => {
  const { orderId, operationId, workCenter, good, scrap, rework, scrapReason } = event.data;
  const order = ctx.peek('orders', orderId) as (Document & Order) | undefined | typeof UNREAD;
  if (order === UNREAD) return UNREAD;
  const index = order?.operations.indexOf(operationId) ?? -1;
  const previous = index > 0 ? (order?.operations[index - 1] as string) : undefined;
  const before = previous
    ? (ctx.peek('operations', `${orderId}/${previous}`) as Operation | undefined | typeof UNREAD)
    : undefined;
  if (before === UNREAD) return UNREAD;
  // what the previous operation passed on: its good and its rework not reported again
  const previousGood = before ? before.good + before.reworkPending : undefined;
  const received = previous ? (previousGood ?? 0) : (order?.quantity ?? Number.MAX_SAFE_INTEGER);
  const id = `${orderId}/${operationId}`;
  const found = ctx.peek('operations', id) as Operation | undefined | typeof UNREAD;
  if (found === UNREAD) return UNREAD;
  const op: Operation = found
    ? copyOf(found)
    : {
        ...emptyOperation(received),
        _id: id,
        orderId,
        operationId,
        product: order?.product ?? 'unknown',
        workCenter,
        day: localDate(event.data.reportedAt, timeZone),
      };
  const figuresBefore: YieldFigures = found ? figuresOf(found) : EMPTY_FIGURES;
  op.received = Math.max(op.received, received);
  const first = applyReport(op, { good, scrap, rework }).first;
  const after = figuresOf(op);
  const rollups = keysOf(op);
  for (const [dimension, key] of rollups) if (ctx.peek('rollups', `${dimension}:${key}`) === UNREAD) return UNREAD;
  const reason = scrapReason ?? 'unspecified';
  if (first.scrap > 0 && ctx.peek('defectUnits', `scrap:${reason}`) === UNREAD) return UNREAD;
  if (first.rework > 0 && ctx.peek('defectUnits', 'rework:rework') === UNREAD) return UNREAD;
  void ctx.update('operations', id, () => op);
  const delta: Record<string, number> = {};
  for (const f of FIGURES) delta[f] = after[f] - figuresBefore[f];
  for (const [dimension, key] of rollups)
    void add(ctx, 'rollups', `${dimension}:${key}`, { _id: '', dimension, key }, delta);
  if (order) void ctx.update('orders', orderId, (doc) => doc && Object.assign(doc, { lastOperation: operationId }));
  // the units view counts each defective unit once: at its first pass
  if (first.scrap > 0)
    void add(ctx, 'defectUnits', `scrap:${reason}`, { _id: '', kind: 'scrap', reason }, { units: first.scrap });
  if (first.rework > 0)
    void add(
      ctx,
      'defectUnits',
      'rework:rework',
      { _id: '', kind: 'rework', reason: 'rework' },
      { units: first.rework },
    );
};
