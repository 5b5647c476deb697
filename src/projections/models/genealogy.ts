import type { Document } from '../../app/readStore';
import type { Projection } from '../runner';

const lot = (doc: Document | undefined, id: string): Document =>
  doc ?? {
    _id: id,
    lotId: id,
    material: null,
    origin: null,
    supplier: null,
    supplierLot: null,
    producedBy: null,
    issuedTo: [],
  };
const order = (doc: Document | undefined, id: string): Document =>
  doc ?? { _id: id, orderId: id, inputs: [], outputs: [] };

/** Genealogy: which lots went into which order, which lots came out; walked transitively by the queries. */
export const genealogyProjection: Projection = {
  name: 'genealogy',
  version: 1,
  collections: { lots: { indexes: ['producedBy'] }, orders: {} },
  eventTypes: ['LotReceived', 'LotProduced', 'LotIssued'],
  async apply(event, ctx) {
    switch (event.type) {
      case 'LotReceived': {
        const { lotId, material, supplier, supplierLot } = event.data;
        return ctx.update('lots', lotId, (doc) =>
          Object.assign(lot(doc, lotId), { material, origin: 'received', supplier, supplierLot }),
        );
      }
      case 'LotProduced': {
        const { lotId, material, orderId } = event.data;
        await ctx.update('lots', lotId, (doc) =>
          Object.assign(lot(doc, lotId), { material, origin: 'produced', producedBy: orderId }),
        );
        return ctx.update('orders', orderId, (doc) => {
          const next = order(doc, orderId);
          next['outputs'] = [...(next['outputs'] as string[]), lotId];
          return next;
        });
      }
      case 'LotIssued': {
        const { lotId, material, orderId, operationId, quantity, unit } = event.data;
        const link = { orderId, operationId, quantity, unit };
        await ctx.update('lots', lotId, (doc) => {
          const next = lot(doc, lotId);
          next['issuedTo'] = [...(next['issuedTo'] as unknown[]), link];
          return next;
        });
        return ctx.update('orders', orderId, (doc) => {
          const next = order(doc, orderId);
          next['inputs'] = [...(next['inputs'] as unknown[]), { lotId, material, quantity, unit, operationId }];
          return next;
        });
      }
      default:
        return;
    }
  },
};
