import { MINUTE } from './catalog';
import type { Job } from './machineModel';
import { barSteelKg, type Order } from './orderPlan';
import type { Random } from './simClock';

/** An order whose last operation is complete (in the plant; the backbone may still wait on its inspection). */
export const done = (order: Order): boolean => order.next >= order.operations.length;

const byUrgency = (a: Order, b: Order): number => a.priority - b.priority || a.due - b.due;

/** The planner releases the most urgent arrived orders, keeping about two released orders per machine. */
export const toRelease = (orders: readonly Order[], machines: number): Order[] => {
  const open = orders.filter((o) => o.released && !done(o)).length;
  return orders
    .filter((o) => o.arrived && !o.released)
    .sort(byUrgency)
    .slice(0, Math.max(0, machines * 2 - open));
};

/** The most urgent released order whose next operation is at this work center and that no machine holds. */
export const nextOrderFor = (
  orders: readonly Order[],
  workCenter: string,
  held: (order: Order) => boolean,
): Order | undefined =>
  orders
    .filter((o) => o.released && !done(o) && o.operations[o.next]?.workCenter === workCenter)
    .filter((o) => !held(o))
    .sort(byUrgency)[0];

/** The job of an order's next operation (its card not yet read): the first makes the order's quantity, the next what came good out of the last. */
export const jobFor = (order: Order): Job | undefined => {
  const operation = order.operations[order.next];
  if (!operation) return undefined;
  const target = order.next === 0 ? order.quantity : order.good;
  return { order, operation, card: '', target, made: 0, good: 0, scrap: 0, carry: 0 };
};

/** The material issue a job starts with: bar steel at turning, nothing elsewhere. */
export const issueFor = (job: Job) =>
  job.operation.workCenter === 'WC-TURN'
    ? {
        lotId: `${job.order.orderId}-BAR`,
        body: { orderId: job.order.orderId, operationId: job.operation.operationId, quantity: barSteelKg(job.order) },
      }
    : undefined;

/** What the operator reports at the end of a job. */
export const reportOf = (job: Job) => ({
  good: job.good,
  scrap: job.scrap,
  rework: 0,
  ...(job.scrap > 0 ? { scrapReason: 'DIMENSION' } : {}),
});

/**
 * After a job: the order moves to its next operation with the good units; an operation that asks for
 * an inspection gets one ten minutes later, failing with the chance `defectRate`; the last operation's
 * good units become the finished-goods lot.
 */
export const afterJob = (job: Job, t: number, random: Random, defectRate: number) => {
  const { order, operation } = job;
  const next = order.next + 1;
  const inspection = operation.inspection
    ? {
        inspectionId: `${order.orderId}.${operation.operationId}.1`,
        passed: !random.chance(defectRate),
        at: t + 10 * MINUTE,
      }
    : undefined;
  const finishedGoods =
    next >= order.operations.length
      ? {
          lotId: `${order.orderId}-FG`,
          material: order.product,
          orderId: order.orderId,
          quantity: Math.max(1, job.good),
          unit: 'pcs',
        }
      : undefined;
  return { next, good: job.good, inspection, finishedGoods };
};
