import { refuse } from '../errors';
import type { OrderEvent } from './events';
import type { ExistingOrder } from './state';

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
  if (state.status === 'Completed' || state.status === 'Closed' || state.status === 'Cancelled')
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
