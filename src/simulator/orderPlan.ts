import { HOUR, MINUTE, PRODUCTS, WORK_CENTERS, idealSeconds, iso } from './catalog';
import type { Random } from './simClock';

export type Operation = {
  operationId: string;
  code: string;
  workCenter: string;
  minutesPerUnit: number;
  inspection: boolean;
};

export type Order = {
  orderId: string;
  /** Which of the ERP's schedules brings the order, and its due date in hours after that. */
  batch: number;
  dueHours: number;
  arrived: boolean;
  product: string;
  quantity: number;
  priority: number;
  /** Set when the order arrives: arrival plus `dueHours`. */
  due: number;
  operations: Operation[];
  /** Index of the next operation to run; `operations.length` when all are complete. */
  next: number;
  released: boolean;
  /** The backbone's time once it answered the release: no scan of the order is dated before it. */
  releasedAt?: number;
  /** Good units of the last completed operation: what the next one receives. */
  good: number;
};

/** The ERP sends its orders in at most four schedules through the run. */
export const batchCount = (orders: number): number => Math.min(4, orders);

/**
 * The ERP's orders for a run: products in turn, 20 to 60 units, priorities 1 to 9, due 4 hours to half the
 * run after their schedule arrives, each turned then milled a little slower than the ideal cycle.
 */
export const planOrders = (plan: { runId: string; orders: number; hours: number }, random: Random): Order[] => {
  const batches = batchCount(plan.orders);
  // the draws happen in this order for each order; the same seed gives the same orders
  return Array.from({ length: plan.orders }, (_, i) => {
    const product = PRODUCTS[i % PRODUCTS.length] as string;
    const dueHours = random.between(4, Math.max(6, plan.hours * 0.5));
    const quantity = random.int(2, 6) * 10;
    const priority = random.int(1, 9);
    const operations = WORK_CENTERS.map((wc, k) => ({
      operationId: `0${k + 1}0`,
      code: wc.code,
      workCenter: wc.workCenter,
      minutesPerUnit: (idealSeconds(product, wc.workCenter) / 60) * random.between(1.05, 1.25),
      inspection: wc.inspection,
    }));
    return {
      orderId: `${plan.runId}-PO-${String(i + 1).padStart(3, '0')}`,
      batch: Math.floor((i * batches) / plan.orders),
      dueHours,
      arrived: false,
      product,
      quantity,
      priority,
      due: 0,
      operations,
      next: 0,
      released: false,
      good: 0,
    };
  });
};

/** When each schedule arrives: spread evenly through the run, the first at its start, on whole minutes. */
export const arrivalTimes = (start: number, hours: number, batches: number): number[] =>
  Array.from({ length: batches }, (_, b) => start + Math.round((b * hours * 60) / (batches + 1)) * MINUTE);

export const dueAt = (order: Order, arrivedAt: number): number => arrivedAt + order.dueHours * HOUR;

const CUSTOMERS = ['ACME Motors', 'Nordic Pumps', 'Delta Drives'];

/**
 * A B2MML V0600 ProductionSchedule of a batch of orders (their due dates set), in the schema's element
 * order. Each request's one SegmentRequirement names no process segment: it only says what to produce,
 * so the backbone takes each product's routing, BOM and inspection plan from master data.
 */
export const scheduleXml = (batch: readonly Order[], at: number, id: string): string =>
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ProductionSchedule xmlns="http://www.mesa.org/xml/B2MML-V0600">',
    `  <ID>${id}</ID>`,
    ...batch.map((o) =>
      [
        '  <ProductionRequest>',
        `    <ID>${o.orderId}</ID>`,
        `    <Description>${CUSTOMERS[o.priority % 3]}</Description>`,
        `    <ProductProductionRuleID>${o.product}</ProductProductionRuleID>`,
        `    <StartTime>${iso(at)}</StartTime>`,
        `    <EndTime>${iso(o.due)}</EndTime>`,
        `    <Priority>${o.priority}</Priority>`,
        `    <SegmentRequirement><ID>${o.orderId}</ID><MaterialRequirement><MaterialDefinitionID>${o.product}</MaterialDefinitionID><MaterialUse>Produced</MaterialUse><Quantity><QuantityString>${o.quantity}</QuantityString><UnitOfMeasure>pcs</UnitOfMeasure></Quantity></MaterialRequirement></SegmentRequirement>`,
        '  </ProductionRequest>',
      ].join('\n'),
    ),
    '</ProductionSchedule>',
  ].join('\n');

/** Bar steel an order consumes at turning. */
export const barSteelKg = (order: Order): number => order.quantity * 0.8;

/** The WMS's goods receipt for a batch: one lot of bar steel per order. */
export const materialReceipt = (runId: string, b: number, batch: readonly Order[]) => ({
  receiptId: `GR-${runId}-${b + 1}`,
  supplier: 'Steel Co',
  lines: batch.map((o) => ({
    lotId: `${o.orderId}-BAR`,
    material: 'BAR-STEEL',
    quantity: o.quantity,
    unit: 'kg',
    supplierLot: `SC-${o.orderId}`,
  })),
});
