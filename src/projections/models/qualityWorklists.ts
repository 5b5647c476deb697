import type { DomainEventType } from '../../domain/aggregates';
import type { Projection } from '../runner';

type Apply = Projection['apply'];

/** The events the worklists read. */
export const worklistEventTypes = [
  'InspectionRequested',
  'InspectionPassed',
  'InspectionFailed',
  'InspectionCancelled',
  'QualityLoopOpened',
  'QualityLoopClosed',
  'HoldReleased',
] as const satisfies readonly DomainEventType[];

/**
 * Quality's worklists: each inspection with its state (`requested` ones are the inspections to do),
 * and each hold point of an order with its state (`in-force`, `released` by a quality user, `ended`
 * when its inspection or nonconformance closed).
 */
export const applyWorklists: Apply = async (event, ctx) => {
  switch (event.type) {
    case 'InspectionRequested': {
      const d = event.data;
      return ctx.update('inspections', d.inspectionId, () => ({
        _id: d.inspectionId,
        inspectionId: d.inspectionId,
        orderId: d.orderId ?? null,
        operationId: d.operationId ?? null,
        lotId: d.lotId ?? null,
        product: d.product ?? null,
        quantity: d.quantity ?? null,
        unit: d.unit ?? null,
        reason: d.reason,
        reinspectionOf: d.reinspectionOf ?? null,
        characteristics: d.characteristics.map((c) => c.name),
        // each characteristic with its kind, limits and unit: the office shows them beside the values typed
        specs: d.characteristics,
        state: 'requested',
        requestedAt: d.requestedAt,
        decidedAt: null,
      }));
    }
    case 'InspectionPassed':
    case 'InspectionFailed': {
      const state = event.type === 'InspectionPassed' ? 'passed' : 'failed';
      const { decidedAt } = event.data;
      return ctx.update(
        'inspections',
        event.data.inspectionId,
        (doc) => doc && Object.assign(doc, { state, decidedAt }),
      );
    }
    case 'InspectionCancelled': {
      const { cancelledAt } = event.data;
      return ctx.update(
        'inspections',
        event.data.inspectionId,
        (doc) => doc && Object.assign(doc, { state: 'cancelled', decidedAt: cancelledAt }),
      );
    }
    case 'QualityLoopOpened': {
      const { orderId, loopId, kind, reason, operationId, reinspectionOf } = event.data;
      // the same rule as the order's: a routing inspection (not a rework's re-inspection) or an NC holds
      if (!(kind === 'nonconformance' || (reason === 'routing' && !reinspectionOf))) return;
      return ctx.update('holds', `${orderId}/${loopId}`, (doc) =>
        doc
          ? doc
          : {
              _id: `${orderId}/${loopId}`,
              orderId,
              holdId: loopId,
              kind,
              operationId: operationId ?? null,
              state: 'in-force',
              since: event.metadata.occurredAt,
              releasedBy: null,
              releaseReason: null,
              endedAt: null,
            },
      );
    }
    case 'HoldReleased': {
      const { orderId, holdId, releasedBy, reason } = event.data;
      return ctx.update(
        'holds',
        `${orderId}/${holdId}`,
        (doc) => doc && Object.assign(doc, { state: 'released', releasedBy, releaseReason: reason }),
      );
    }
    case 'QualityLoopClosed': {
      const { orderId, loopId } = event.data;
      return ctx.update(
        'holds',
        `${orderId}/${loopId}`,
        (doc) => doc && Object.assign(doc, { state: 'ended', endedAt: event.metadata.occurredAt }),
      );
    }
    default:
      return;
  }
};
