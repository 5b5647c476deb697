import type { Document } from '../app/readStore';
import { NotFoundError } from '../domain/errors';

export type GenealogyLink = {
  from: string;
  to: string;
  kind: 'issued' | 'produced' | 'shipped';
  quantity: number;
  unit: string | null;
};

/** A shipment a forward trace reached: whom to recall from. */
export type ReachedCustomer = {
  customer: string;
  lotId: string;
  shipmentId: string;
  quantity: number;
  unit: string;
  shippedAt: string;
};

type Issue = { orderId: string; quantity: number; unit: string };
type Input = { lotId: string; quantity: number; unit: string };
type Output = { lotId: string; quantity: number; unit: string };
type Shipment = ReachedCustomer;

/** A read-model document as an answer shows it: without the store's own fields (`_id`, `_pos`...). */
export const withoutStorageFields = (doc: Document): Record<string, unknown> =>
  Object.fromEntries(Object.entries(doc).filter(([key]) => !key.startsWith('_')));

/**
 * Walks genealogy from a lot, backward (what went into it, transitively) or forward (where it went,
 * transitively, down to the customers its lots were shipped to). Each lot is listed once with its
 * status, each link once with the quantity it carried (issues of one lot to one order summed).
 */
export const walkGenealogy = async (
  get: (collection: 'lots' | 'orders', id: string) => Promise<Document | undefined>,
  lotId: string,
  direction: 'backward' | 'forward',
) => {
  const lots: Record<string, unknown>[] = [];
  const links = new Map<string, GenealogyLink>();
  const customers: ReachedCustomer[] = [];
  const link = (from: string, to: string, kind: GenealogyLink['kind'], quantity: number, unit: string | null) => {
    const key = `${from}|${to}|${kind}`;
    const known = links.get(key);
    links.set(key, known ? { ...known, quantity: known.quantity + quantity } : { from, to, kind, quantity, unit });
  };
  const seen = new Set<string>();
  const ordersSeen = new Set<string>();
  const queue = [lotId];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const lot = await get('lots', id);
    if (!lot) continue;
    lots.push(withoutStorageFields(lot));
    if (direction === 'backward') {
      const orderId = lot['producedBy'] as string | null;
      if (!orderId) continue;
      link(`order:${orderId}`, `lot:${id}`, 'produced', lot['quantity'] as number, lot['unit'] as string | null);
      if (ordersSeen.has(orderId)) continue;
      ordersSeen.add(orderId);
      const order = await get('orders', orderId);
      for (const input of (order?.['inputs'] as Input[] | undefined) ?? []) {
        link(`lot:${input.lotId}`, `order:${orderId}`, 'issued', input.quantity, input.unit);
        queue.push(input.lotId);
      }
    } else {
      for (const issue of (lot['issuedTo'] as Issue[] | undefined) ?? []) {
        link(`lot:${id}`, `order:${issue.orderId}`, 'issued', issue.quantity, issue.unit);
        if (ordersSeen.has(issue.orderId)) continue;
        ordersSeen.add(issue.orderId);
        const order = await get('orders', issue.orderId);
        for (const output of (order?.['outputs'] as Output[] | undefined) ?? []) {
          link(`order:${issue.orderId}`, `lot:${output.lotId}`, 'produced', output.quantity, output.unit);
          queue.push(output.lotId);
        }
      }
      for (const shipment of (lot['shipments'] as Shipment[] | undefined) ?? []) {
        link(`lot:${id}`, `customer:${shipment.customer}`, 'shipped', shipment.quantity, shipment.unit);
        const { customer, shipmentId, quantity, unit, shippedAt } = shipment;
        customers.push({ customer, lotId: id, shipmentId, quantity, unit, shippedAt });
      }
    }
  }
  if (lots.length === 0) throw new NotFoundError(`lot ${lotId} is not known`);
  return {
    lotId,
    direction,
    lots,
    links: [...links.values()],
    ...(direction === 'forward' ? { customers } : {}),
  };
};
