import type { Projection } from '../runner';
import { orderProducts } from './orderProducts';

/**
 * The quality closed loop: nonconformances with their state, lot and disposition. (Yields and the
 * defect Pareto are the yields read model's, models/yields.ts.)
 */
export const qualityProjection = (_timeZone: string): Projection => ({
  name: 'quality',
  version: 2,
  collections: {
    loops: { indexes: ['state', 'orderId'] },
    ...orderProducts.collection,
  },
  eventTypes: [...orderProducts.eventTypes, 'NonconformanceRaised', 'DispositionDecided', 'NonconformanceClosed'],
  async apply(event, ctx) {
    if (await orderProducts.track(event, ctx)) return;
    switch (event.type) {
      case 'NonconformanceRaised': {
        const d = event.data;
        return ctx.update('loops', d.nonconformanceId, () => ({
          _id: d.nonconformanceId,
          nonconformanceId: d.nonconformanceId,
          orderId: d.orderId,
          operationId: d.operationId ?? null,
          lotId: d.lotId ?? null,
          product: d.product ?? null,
          inspectionId: d.inspectionId,
          failed: d.failed,
          state: 'open',
          disposition: null,
          raisedAt: d.raisedAt,
          closedAt: null,
          resolution: null,
        }));
      }
      case 'DispositionDecided': {
        const { disposition } = event.data;
        return ctx.update(
          'loops',
          event.data.nonconformanceId,
          (doc) =>
            doc && Object.assign(doc, { disposition, state: disposition === 'rework' ? 'rework' : doc['state'] }),
        );
      }
      case 'NonconformanceClosed': {
        const { resolution, closedAt } = event.data;
        return ctx.update(
          'loops',
          event.data.nonconformanceId,
          (doc) => doc && Object.assign(doc, { state: 'closed', resolution, closedAt }),
        );
      }
      default:
        return;
    }
  },
});
