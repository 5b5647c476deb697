import type { Document } from '../../app/readStore';
import type { Projection } from '../runner';

/** A lot's status as genealogy shows it: where its material is now. */
export type GenealogyStatus =
  'received' | 'produced' | 'released' | 'quarantined' | 'consumed' | 'scrapped' | 'returned' | 'shipped';

type Issue = { orderId: string; operationId: string; quantity: number; unit: string };
type Input = { lotId: string; material: string; operationId: string; quantity: number; unit: string };
type Output = { lotId: string; quantity: number; unit: string };
type Shipment = { shipmentId: string; customer: string; quantity: number; unit: string; shippedAt: string };

const EPSILON = 1e-9;

const lot = (doc: Document | undefined, id: string): Document =>
  doc ?? {
    _id: id,
    lotId: id,
    material: null,
    origin: null,
    supplier: null,
    supplierLot: null,
    producedBy: null,
    quantity: 0,
    onHand: 0,
    unit: null,
    status: null,
    issuedTo: [],
    shipments: [],
  };
const order = (doc: Document | undefined, id: string): Document =>
  doc ?? { _id: id, orderId: id, inputs: [], outputs: [] };

/** Adds `quantity` to the entry `same` finds, or appends `entry`: one entry per link, however many events made it. */
const merge = <T extends { quantity: number }>(list: T[], same: (e: T) => boolean, entry: T): T[] =>
  list.some(same) ? list.map((e) => (same(e) ? { ...e, quantity: e.quantity + entry.quantity } : e)) : [...list, entry];

const takeOut = (doc: Document, quantity: number, emptied: GenealogyStatus): Document => {
  const onHand = (doc['onHand'] as number) - quantity;
  return onHand > EPSILON ? { ...doc, onHand } : { ...doc, onHand: 0, status: emptied };
};

/**
 * Genealogy: which lots went into which order (one input per lot and operation, quantities summed),
 * which lots came out, where each lot's material is now (status and quantity on hand) and which
 * customers its shipments went to; walked transitively by the queries.
 */
export const genealogyProjection: Projection = {
  name: 'genealogy',
  // 3: a partial scrap or return leaves the rest of the lot on hand
  version: 3,
  collections: { lots: { indexes: ['producedBy'] }, orders: {} },
  eventTypes: [
    'LotReceived',
    'LotProduced',
    'LotIssued',
    'LotQuarantined',
    'LotReleased',
    'LotScrapped',
    'LotReturnedToSupplier',
    'LotShipped',
  ],
  async apply(event, ctx) {
    switch (event.type) {
      case 'LotReceived': {
        const { lotId, material, supplier, supplierLot, quantity, unit } = event.data;
        return ctx.update('lots', lotId, (doc) => ({
          ...lot(doc, lotId),
          material,
          origin: 'received',
          supplier,
          supplierLot,
          quantity,
          onHand: quantity,
          unit,
          status: 'received',
        }));
      }
      case 'LotProduced': {
        const { lotId, material, orderId, quantity, unit } = event.data;
        await ctx.update('lots', lotId, (doc) => ({
          ...lot(doc, lotId),
          material,
          origin: 'produced',
          producedBy: orderId,
          quantity,
          onHand: quantity,
          unit,
          status: 'produced',
        }));
        return ctx.update('orders', orderId, (doc) => {
          const next = order(doc, orderId);
          const outputs = next['outputs'] as Output[];
          if (outputs.some((o) => o.lotId === lotId)) return next;
          return { ...next, outputs: [...outputs, { lotId, quantity, unit }] };
        });
      }
      case 'LotIssued': {
        const { lotId, material, orderId, operationId, quantity, unit } = event.data;
        await ctx.update('lots', lotId, (doc) => {
          const next = takeOut(lot(doc, lotId), quantity, 'consumed');
          const issuedTo = merge(
            next['issuedTo'] as Issue[],
            (e) => e.orderId === orderId && e.operationId === operationId,
            { orderId, operationId, quantity, unit },
          );
          return { ...next, issuedTo };
        });
        return ctx.update('orders', orderId, (doc) => {
          const next = order(doc, orderId);
          const inputs = merge(next['inputs'] as Input[], (e) => e.lotId === lotId && e.operationId === operationId, {
            lotId,
            material,
            operationId,
            quantity,
            unit,
          });
          return { ...next, inputs };
        });
      }
      case 'LotQuarantined':
        return ctx.update('lots', event.data.lotId, (doc) => ({
          ...lot(doc, event.data.lotId),
          status: 'quarantined',
          reason: event.data.reason,
        }));
      case 'LotReleased':
        return ctx.update('lots', event.data.lotId, (doc) => {
          const { reason: _reason, ...next } = lot(doc, event.data.lotId);
          return { ...next, status: (next['onHand'] as number) > EPSILON ? 'released' : 'consumed' };
        });
      // a disposition may scrap or return part of a lot: the rest stays (quarantined until released)
      case 'LotScrapped':
        return ctx.update('lots', event.data.lotId, (doc) =>
          takeOut(lot(doc, event.data.lotId), event.data.quantity, 'scrapped'),
        );
      case 'LotReturnedToSupplier':
        return ctx.update('lots', event.data.lotId, (doc) =>
          takeOut(lot(doc, event.data.lotId), event.data.quantity, 'returned'),
        );
      case 'LotShipped': {
        const { lotId, shipmentId, customer, quantity, unit, shippedAt } = event.data;
        return ctx.update('lots', lotId, (doc) => {
          const next = takeOut(lot(doc, lotId), quantity, 'shipped');
          const shipments = [...(next['shipments'] as Shipment[]), { shipmentId, customer, quantity, unit, shippedAt }];
          return { ...next, shipments };
        });
      }
      default:
        return;
    }
  },
};
