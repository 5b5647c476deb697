import type { Document } from '../../app/readStore';
import type { Projection } from '../runner';
import { orderProducts } from './orderProducts';
import { localDate } from '../../lib/time';
import { applyWorklists, worklistEventTypes } from './qualityWorklists';

const add = (doc: Document | undefined, base: Document, counts: Record<string, number>): Document => {
  const next = doc ?? base;
  for (const [field, value] of Object.entries(counts)) next[field] = ((next[field] as number | undefined) ?? 0) + value;
  return next;
};

/**
 * The quality closed loop: nonconformances with their state, lot and disposition; good, scrap and
 * rework per product, operation, work center and day (first-pass and final yield are read from
 * them); defects by reason for the Pareto; and the quality worklists (inspections to do, holds in
 * force; open NCs are the loops not closed).
 */
export const qualityProjection = (timeZone: string): Projection => ({
  name: 'quality',
  version: 2,
  collections: {
    loops: { indexes: ['state', 'orderId'] },
    inspections: { indexes: ['state', 'orderId'] },
    holds: { indexes: ['state', 'orderId'] },
    yields: { indexes: ['dimension'] },
    pareto: {},
    ...orderProducts.collection,
  },
  eventTypes: [
    ...orderProducts.eventTypes,
    'OperationQuantityReported',
    'NonconformingScrapped',
    'InspectionFailed',
    'NonconformanceRaised',
    'DispositionDecided',
    'NonconformanceClosed',
    ...worklistEventTypes,
  ],
  async apply(event, ctx) {
    if (await orderProducts.track(event, ctx)) return;
    await applyWorklists(event, ctx);
    switch (event.type) {
      case 'OperationQuantityReported': {
        const { orderId, operationId, workCenter, good, scrap, rework, scrapReason } = event.data;
        const product = (await orderProducts.of(ctx, orderId)) ?? 'unknown';
        const day = localDate(event.metadata.occurredAt, timeZone);
        const keys: Array<[string, string]> = [
          ['product', product],
          ['operation', `${product}/${operationId}`],
          ['workCenter', workCenter],
          ['day', day],
        ];
        for (const [dimension, key] of keys) {
          await ctx.update('yields', `${dimension}:${key}`, (doc) =>
            add(doc, { _id: '', dimension, key, good: 0, scrap: 0, rework: 0 }, { good, scrap, rework }),
          );
        }
        if (scrap > 0) {
          const reason = scrapReason ?? 'unspecified';
          await ctx.update('pareto', `scrap:${reason}`, (doc) =>
            add(doc, { _id: '', kind: 'scrap', reason, units: 0, occurrences: 0 }, { units: scrap, occurrences: 1 }),
          );
        }
        return;
      }
      case 'NonconformingScrapped': {
        // a scrap disposition moves units of an operation's output from good to scrap in the yields
        const { orderId, operationId, workCenter, quantity, reasonCode } = event.data;
        const product = (await orderProducts.of(ctx, orderId)) ?? 'unknown';
        const day = localDate(event.metadata.occurredAt, timeZone);
        const keys: Array<[string, string]> = [
          ['product', product],
          ['operation', `${product}/${operationId}`],
          ...(workCenter ? [['workCenter', workCenter] as [string, string]] : []),
          ['day', day],
        ];
        for (const [dimension, key] of keys) {
          await ctx.update('yields', `${dimension}:${key}`, (doc) =>
            add(doc, { _id: '', dimension, key, good: 0, scrap: 0, rework: 0 }, { good: -quantity, scrap: quantity }),
          );
        }
        const reason = reasonCode ?? 'nonconformance';
        return ctx.update('pareto', `scrap:${reason}`, (doc) =>
          add(doc, { _id: '', kind: 'scrap', reason, units: 0, occurrences: 0 }, { units: quantity, occurrences: 1 }),
        );
      }
      case 'InspectionFailed':
        for (const failed of event.data.failed) {
          const reason = failed.characteristic;
          await ctx.update('pareto', `inspection:${reason}`, (doc) =>
            add(doc, { _id: '', kind: 'inspection', reason, units: 0, occurrences: 0 }, { units: 1, occurrences: 1 }),
          );
        }
        return;
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
