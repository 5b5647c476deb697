import type { Directive } from '../aggregates';
import { chartIdOf, RULES } from '../spc';
import { metaFor, type Trigger } from './types';

/** The events the SPC process reacts to: results to chart, and charted points that break a rule. */
export const spcEvents = [
  'InspectionRequested',
  'InspectionResultsRecorded',
  'InspectionCancelled',
  'SpcPointEvaluated',
] as const;
/** What its view folds: the inspections waiting for results, with what they inspect. */
export const spcViewEvents = ['InspectionRequested', 'InspectionResultsRecorded', 'InspectionCancelled'] as const;

type Inspected = { product: string; orderId?: string; operationId?: string; lotId?: string };
/** Inspections requested and not yet recorded: inspection → what it inspects. */
export type SpcView = Readonly<Record<string, Inspected>>;
export const emptySpcView: SpcView = {};

export const evolveSpcView = (view: SpcView, trigger: Trigger): SpcView => {
  switch (trigger.type) {
    case 'InspectionRequested': {
      const { inspectionId, product, orderId, operationId, lotId } = trigger.data;
      if (!product) return view;
      return {
        ...view,
        [inspectionId]: {
          product,
          ...(orderId ? { orderId } : {}),
          ...(operationId ? { operationId } : {}),
          ...(lotId ? { lotId } : {}),
        },
      };
    }
    case 'InspectionResultsRecorded':
    case 'InspectionCancelled': {
      if (!view[trigger.data.inspectionId]) return view;
      const { [trigger.data.inspectionId]: _done, ...rest } = view;
      return rest;
    }
    default:
      return view;
  }
};

/** The nonconformance a rule violation opens: one per chart and inspection. */
export const spcNonconformanceId = (inspectionId: string, characteristic: string): string =>
  `NC-SPC-${inspectionId}-${characteristic}`.slice(0, 100);

/**
 * Statistical process control in the quality loop: each measured result of an inspection of a product
 * is placed on its chart (product, operation, characteristic); a point that breaks one of the chart's
 * Western Electric rules opens a nonconformance, as one raised by hand (the order's later operations
 * held, the lot quarantined), before any part leaves its specification.
 */
export const spcProcess = (trigger: Trigger, view: SpcView): Directive[] => {
  const meta = metaFor(trigger, 'spc');
  switch (trigger.type) {
    case 'InspectionResultsRecorded': {
      const { inspectionId, results } = trigger.data;
      const inspected = view[inspectionId];
      if (!inspected) return [];
      const { product, orderId, operationId, lotId } = inspected;
      return results.flatMap((result): Directive[] => {
        if (typeof result.value !== 'number') return [];
        const chartId = chartIdOf(product, operationId, result.characteristic);
        return [
          {
            aggregate: 'spcchart',
            id: chartId,
            command: {
              type: 'EvaluateSpcPoint',
              data: {
                chartId,
                inspectionId,
                characteristic: result.characteristic,
                value: result.value,
                ...(orderId ? { orderId } : {}),
                ...(operationId ? { operationId } : {}),
                ...(lotId ? { lotId } : {}),
              },
              meta,
            },
          },
        ];
      });
    }
    case 'SpcPointEvaluated': {
      const { chartId, inspectionId, characteristic, orderId, operationId, lotId, violations } = trigger.data;
      if (violations.length === 0 || !characteristic) return [];
      const nonconformanceId = spcNonconformanceId(inspectionId, characteristic);
      const description = `SPC ${chartId}: ${violations
        .map((v) => `rule ${v.rule} (${RULES[v.rule]}, ${v.side}) at ${v.inspections.join(', ')}`)
        .join('; ')}`.slice(0, 1000);
      return [
        {
          aggregate: 'nonconformance',
          id: nonconformanceId,
          command: {
            type: 'RaiseNonconformance',
            data: {
              nonconformanceId,
              source: 'inspection',
              inspectionId,
              description,
              failed: [],
              raisedBy: 'process:spc',
              ...(orderId ? { orderId } : {}),
              ...(operationId ? { operationId } : {}),
              ...(lotId ? { lotId } : {}),
            },
            meta,
          },
        },
      ];
    }
    default:
      return [];
  }
};
