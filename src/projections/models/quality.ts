import type { Projection } from '../runner';
import { orderProducts } from './orderProducts';
import { applyWorklists, worklistEventTypes } from './qualityWorklists';

/**
 * The quality closed loop: nonconformances with their state, lot and disposition, and the quality
 * worklists (inspections to do, holds in force; open NCs are the loops not closed). (Yields and the
 * defect Pareto are the yields read model's, models/yields.ts.) */
export const qualityProjection = (_timeZone: string): Projection => ({
  name: 'quality',
  // 3: the loops and the worklists of quality containment, without the yields (now models/yields.ts)
  // 4: an inspection to do keeps its characteristics' limits (specs)
  version: 4,
  collections: {
    loops: { indexes: ['state', 'orderId'] },
    inspections: { indexes: ['state', 'orderId'] },
    holds: { indexes: ['state', 'orderId'] },
    ...orderProducts.collection,
  },
  eventTypes: [
    ...orderProducts.eventTypes,
    'NonconformanceRaised',
    'DispositionDecided',
    'NonconformanceClosed',
    ...worklistEventTypes,
  ],
  async apply(event, ctx) {
    const tracked = orderProducts.track(event, ctx);
    if (tracked) return tracked;
    await applyWorklists(event, ctx);
    switch (event.type) {
      case 'NonconformanceRaised': {
        const d = event.data;
        return ctx.update('loops', d.nonconformanceId, () => ({
          _id: d.nonconformanceId,
          nonconformanceId: d.nonconformanceId,
          orderId: d.orderId ?? null,
          operationId: d.operationId ?? null,
          lotId: d.lotId ?? null,
          product: d.product ?? null,
          inspectionId: d.inspectionId ?? null,
          source: d.source ?? 'inspection',
          raisedBy: d.raisedBy ?? null,
          description: d.description ?? null,
          failed: d.failed,
          quantity: d.quantity ?? null,
          unit: d.unit ?? null,
          state: 'open',
          disposition: null,
          dispositions: [],
          raisedAt: d.raisedAt,
          closedAt: null,
          resolution: null,
        }));
      }
      case 'DispositionDecided': {
        const { disposition, quantity, decidedBy, decidedAt } = event.data;
        return ctx.update(
          'loops',
          event.data.nonconformanceId,
          (doc) =>
            doc &&
            Object.assign(doc, {
              disposition,
              dispositions: [
                ...((doc['dispositions'] as unknown[] | undefined) ?? []),
                { disposition, quantity: quantity ?? null, decidedBy, decidedAt },
              ],
              state: disposition === 'rework' ? 'rework' : doc['state'],
            }),
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
