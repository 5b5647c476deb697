import type { Document, FindOptions, Page } from '../app/readStore';
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
export const withoutStorageFields = (doc: Document): Record<string, unknown> => {
  // a loop, not fromEntries(entries().filter()): a third of a walk's time went to building those arrays
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) if (key.charCodeAt(0) !== 95) out[key] = doc[key];
  return out;
};

/** Documents of a collection by id, fetched together: the ids found, each once. */
export type LoadMany = (collection: 'lots' | 'orders', ids: readonly string[]) => Promise<Map<string, Document>>;

/** Most ids one batched read asks for (the read stores' `$in` takes at most 500). */
const BATCH = 500;

/**
 * A `LoadMany` from a read model's get and find: one indexed read of `_id $in` per 500 ids (a single id
 * by get), not one read per document.
 */
export const loadMany =
  (
    get: (collection: 'lots' | 'orders', id: string) => Promise<Document | undefined>,
    find: (collection: 'lots' | 'orders', options: FindOptions) => Promise<Page>,
  ): LoadMany =>
  async (collection, ids) => {
    const found = new Map<string, Document>();
    if (ids.length === 1) {
      const doc = await get(collection, ids[0] as string);
      if (doc) found.set(doc._id, doc);
      return found;
    }
    for (let at = 0; at < ids.length; at += BATCH) {
      const chunk = ids.slice(at, at + BATCH);
      const page = await find(collection, { filter: { _id: { $in: chunk } }, limit: chunk.length });
      for (const doc of page.items) found.set(doc._id, doc);
    }
    return found;
  };

/** The ids not yet seen, each once, in order; marked seen. */
const unseen = (ids: readonly string[], seen: Set<string>): string[] => {
  const fresh: string[] = [];
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    fresh.push(id);
  }
  return fresh;
};

/**
 * Walks genealogy from a lot, backward (what went into it, transitively) or forward (where it went,
 * transitively, down to the customers its lots were shipped to). Each lot is listed once with its
 * status, each link once with the quantity it carried (issues of one lot to one order summed). A
 * level at a time: its lots in one read, then their orders in one read, whatever the width.
 */
export const walkGenealogy = async (load: LoadMany, lotId: string, direction: 'backward' | 'forward') => {
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
  for (let level = [lotId]; level.length > 0;) {
    const ids = unseen(level, seen);
    const found = await load('lots', ids);
    const levelLots = ids.flatMap((id) => {
      const lot = found.get(id);
      return lot ? [{ id, lot }] : [];
    });
    // the orders this level reaches, first seen first
    const orderIds = levelLots.flatMap(({ lot }) =>
      direction === 'backward'
        ? lot['producedBy']
          ? [lot['producedBy'] as string]
          : []
        : ((lot['issuedTo'] as Issue[] | undefined) ?? []).map((issue) => issue.orderId),
    );
    const newOrders = unseen(orderIds, ordersSeen);
    const orders = newOrders.length > 0 ? await load('orders', newOrders) : new Map<string, Document>();
    const walked = new Set<string>();
    const next: string[] = [];
    for (const { id, lot } of levelLots) {
      lots.push(withoutStorageFields(lot));
      if (direction === 'backward') {
        const orderId = lot['producedBy'] as string | null;
        if (!orderId) continue;
        link(`order:${orderId}`, `lot:${id}`, 'produced', lot['quantity'] as number, lot['unit'] as string | null);
        if (walked.has(orderId) || !newOrders.includes(orderId)) continue;
        walked.add(orderId);
        for (const input of (orders.get(orderId)?.['inputs'] as Input[] | undefined) ?? []) {
          link(`lot:${input.lotId}`, `order:${orderId}`, 'issued', input.quantity, input.unit);
          next.push(input.lotId);
        }
      } else {
        for (const issue of (lot['issuedTo'] as Issue[] | undefined) ?? []) {
          link(`lot:${id}`, `order:${issue.orderId}`, 'issued', issue.quantity, issue.unit);
          if (walked.has(issue.orderId) || !newOrders.includes(issue.orderId)) continue;
          walked.add(issue.orderId);
          for (const output of (orders.get(issue.orderId)?.['outputs'] as Output[] | undefined) ?? []) {
            link(`order:${issue.orderId}`, `lot:${output.lotId}`, 'produced', output.quantity, output.unit);
            next.push(output.lotId);
          }
        }
        for (const shipment of (lot['shipments'] as Shipment[] | undefined) ?? []) {
          link(`lot:${id}`, `customer:${shipment.customer}`, 'shipped', shipment.quantity, shipment.unit);
          const { customer, shipmentId, quantity, unit, shippedAt } = shipment;
          customers.push({ customer, lotId: id, shipmentId, quantity, unit, shippedAt });
        }
      }
    }
    level = next;
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
