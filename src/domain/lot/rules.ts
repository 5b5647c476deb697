import type { RefusalParams } from '../errors';
import { bomCheck } from '../masterData/orderRouting';
import type { OrderState } from '../order';

/**
 * What another aggregate's facts say against a lot command: the order a lot is issued to or produced
 * from. Pure: the application reads the order (src/app/lots/gate.ts) and throws the first refusal, or
 * records the overridable ones a quality or planner user set aside.
 */
export type LotRefusal = {
  /** 404: what the command names does not exist; 409: it exists, in a state or shape that refuses. */
  status: 404 | 409;
  rule: string;
  message: string;
  params: RefusalParams;
  /** The input field the refusal is about (a JSON pointer into the command's body). */
  path: string;
  /** Whether a quality or planner user may issue past it with a reason. */
  overridable: boolean;
};

/** Both commands name an order that must exist: 404 naming the field, never overridable. */
const orderUnknown = (orderId: string): LotRefusal => ({
  status: 404,
  rule: 'order-unknown',
  message: `order ${orderId} does not exist`,
  params: { orderId },
  path: '/orderId',
  overridable: false,
});

const ISSUABLE_OPERATIONS = ['ready', 'running', 'paused'];

/**
 * An issue of a lot of `material` to an operation of an order: the order exists and is released or in
 * progress, the operation exists and is ready or running (or paused while running), and the material is
 * on the operation's bill of materials when it lists one. The two existence rules cannot be overridden.
 */
export const issueRefusals = (
  order: OrderState,
  issue: { lotId: string; orderId: string; operationId: string; material?: string },
): LotRefusal[] => {
  const { lotId, orderId, operationId, material } = issue;
  if (order.status === 'Initial') return [orderUnknown(orderId)];
  // a rework operation takes material too (its BOM is the reworked operation's)
  const operation = [...order.operations, ...(order.reworks ?? [])].find((op) => op.operationId === operationId);
  if (!operation)
    return [
      {
        status: 404,
        rule: 'operation-unknown',
        message: `order ${orderId} has no operation ${operationId}`,
        params: { orderId, operationId },
        path: '/operationId',
        overridable: false,
      },
    ];
  const refusals: LotRefusal[] = [];
  if (order.status === 'OnHold')
    refusals.push({
      status: 409,
      rule: 'order-on-hold',
      message: `order ${orderId} is on hold`,
      params: { orderId },
      path: '/orderId',
      overridable: true,
    });
  else if (order.status !== 'Released' && order.status !== 'InProgress')
    refusals.push({
      status: 409,
      rule: 'order-not-released',
      message: `order ${orderId} is ${order.status}: material is issued to released orders and orders in progress`,
      params: { orderId, status: order.status },
      path: '/orderId',
      overridable: true,
    });
  if (!ISSUABLE_OPERATIONS.includes(operation.status))
    refusals.push({
      status: 409,
      rule: `operation-${operation.status}`,
      message: `operation ${operationId} of order ${orderId} is ${operation.status}: material is issued to a ready or running operation`,
      params: { orderId, operationId },
      path: '/operationId',
      overridable: true,
    });
  const bomOperation = operation.reworkOf?.operationId ?? operationId;
  if (material !== undefined && bomCheck(order.spec.routing, bomOperation, material) === 'not-on-bom')
    refusals.push({
      status: 409,
      rule: 'material-not-on-bom',
      message: `material ${material} of lot ${lotId} is not on the bill of materials of operation ${operationId} of order ${orderId}`,
      params: { material, lotId, orderId, operationId },
      path: '/params/lotId',
      overridable: true,
    });
  return refusals;
};

/** The most an order's produced lots may hold together: its quantity plus its overrun tolerance. */
export const productionLimit = (order: { spec: { quantity: number; overrunTolerance: number } }): number =>
  order.spec.quantity * (1 + order.spec.overrunTolerance);

/**
 * A lot produced from an order: the order exists and has been released (not closed or cancelled), the
 * lot's material is the order's product in the order's unit, and what the order's lots hold together
 * (`produced` before this one) stays within the order's quantity plus its overrun tolerance.
 */
export const produceRefusals = (
  order: OrderState,
  lot: { lotId: string; orderId: string; material: string; quantity: number; unit: string },
  produced: number,
): LotRefusal[] => {
  const { lotId, orderId, material, quantity, unit } = lot;
  if (order.status === 'Initial') return [orderUnknown(orderId)];
  const refusals: LotRefusal[] = [];
  const planned = order.status === 'Planned' || (order.status === 'OnHold' && order.heldFrom === 'Planned');
  if (planned || order.status === 'Closed' || order.status === 'Cancelled')
    refusals.push({
      status: 409,
      rule: planned ? 'order-not-released' : `order-${order.status.toLowerCase()}`,
      message: `order ${orderId} is ${planned ? 'Planned' : order.status}: it produces nothing`,
      params: { orderId, status: planned ? 'Planned' : order.status },
      path: '/orderId',
      overridable: false,
    });
  if (material !== order.spec.product)
    refusals.push({
      status: 409,
      rule: 'material-not-order-product',
      message: `order ${orderId} makes ${order.spec.product}, not ${material}`,
      params: { orderId, lotId, material, product: order.spec.product },
      path: '/material',
      overridable: false,
    });
  if (unit !== order.spec.unit)
    refusals.push({
      status: 409,
      rule: 'unit-not-order-unit',
      message: `order ${orderId} counts in ${order.spec.unit}, not ${unit}`,
      params: { orderId, lotId, unit, orderUnit: order.spec.unit },
      path: '/unit',
      overridable: false,
    });
  const limit = productionLimit(order);
  if (produced + quantity > limit + 1e-9) {
    const allowed = Math.max(0, limit - produced);
    refusals.push({
      status: 409,
      rule: 'quantity-exceeds-order',
      message: `order ${orderId} may make ${limit} ${order.spec.unit} (quantity ${order.spec.quantity}, overrun tolerance ${order.spec.overrunTolerance}); its lots hold ${produced}, so ${quantity} more is too many (at most ${allowed})`,
      params: { orderId, lotId, quantity, produced, limit, allowed },
      path: '/quantity',
      overridable: false,
    });
  }
  return refusals;
};
