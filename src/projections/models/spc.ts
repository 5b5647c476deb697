import { spcNonconformanceId } from '../../domain/processes';
import { chartIdOf } from '../../domain/spc';
import type { Projection } from '../runner';

/** The violations a chart keeps to show (the newest). */
const VIOLATIONS_KEPT = 100;

/**
 * SPC: each measured result of a product's inspections as a point of its chart (product, operation,
 * characteristic), the chart with its specification, its limits as a quality user last set them, and
 * the rule violations found on its points. Points are documents of their own, so a baseline period or
 * a chart's last points are an indexed range read.
 */
export const spcProjection: Projection = {
  name: 'spc',
  version: 1,
  collections: {
    inspections: {},
    points: { indexes: ['chartId', 'at'] },
    charts: { indexes: ['product'] },
  },
  eventTypes: ['InspectionRequested', 'InspectionResultsRecorded', 'ControlLimitsSet', 'SpcPointEvaluated'],
  async apply(event, ctx) {
    switch (event.type) {
      case 'InspectionRequested': {
        const { inspectionId, product, orderId, operationId, lotId, characteristics } = event.data;
        const measured = characteristics.filter((c) => c.kind === 'measured');
        if (!product || measured.length === 0) return;
        return ctx.update('inspections', inspectionId, () => ({
          _id: inspectionId,
          product,
          orderId: orderId ?? null,
          operationId: operationId ?? null,
          lotId: lotId ?? null,
          measured,
        }));
      }
      case 'InspectionResultsRecorded': {
        const { inspectionId, results, recordedAt } = event.data;
        const inspection = await ctx.get('inspections', inspectionId);
        if (!inspection) return;
        const product = inspection['product'] as string;
        const operationId = (inspection['operationId'] as string | null) ?? undefined;
        const measured = inspection['measured'] as Array<{
          name: string;
          lower?: number;
          upper?: number;
          nominal?: number;
          unit?: string;
        }>;
        for (const result of results) {
          const characteristic = measured.find((c) => c.name === result.characteristic);
          if (typeof result.value !== 'number' || !characteristic) continue;
          const chartId = chartIdOf(product, operationId, characteristic.name);
          const value = result.value;
          await ctx.update('points', `${chartId}|${inspectionId}`, () => ({
            _id: `${chartId}|${inspectionId}`,
            chartId,
            inspectionId,
            value,
            at: recordedAt,
            orderId: inspection['orderId'] ?? null,
            lotId: inspection['lotId'] ?? null,
            passed: result.passed,
          }));
          await ctx.update('charts', chartId, (doc) =>
            Object.assign(
              doc ?? {
                _id: chartId,
                product,
                operationId: operationId ?? null,
                characteristic: characteristic.name,
                limits: null,
                rules: [],
                violations: [],
                points: 0,
              },
              {
                // the specification as the newest inspection plan gives it
                spec: {
                  ...(characteristic.lower !== undefined ? { lower: characteristic.lower } : {}),
                  ...(characteristic.upper !== undefined ? { upper: characteristic.upper } : {}),
                  ...(characteristic.nominal !== undefined ? { nominal: characteristic.nominal } : {}),
                },
                unit: characteristic.unit ?? null,
                points: ((doc?.['points'] as number | undefined) ?? 0) + 1,
                lastAt: recordedAt,
              },
            ),
          );
        }
        return ctx.update('inspections', inspectionId, () => null);
      }
      case 'ControlLimitsSet': {
        const { chartId, product, operationId, characteristic, version, limits, rules, baseline, setBy, setAt, spec } =
          event.data;
        return ctx.update('charts', chartId, (doc) =>
          Object.assign(
            doc ?? {
              _id: chartId,
              product,
              operationId: operationId ?? null,
              characteristic,
              violations: [],
              points: 0,
            },
            { limits, rules, version, baseline, setBy, setAt, ...(spec ? { spec } : {}) },
          ),
        );
      }
      case 'SpcPointEvaluated': {
        const { chartId, inspectionId, characteristic, violations, evaluatedAt } = event.data;
        if (violations.length === 0) return;
        return ctx.update('charts', chartId, (doc) => {
          if (!doc) return undefined;
          const kept = (doc['violations'] as unknown[]).concat(
            violations.map((v) => ({
              ...v,
              inspectionId,
              at: evaluatedAt,
              nonconformanceId: characteristic ? spcNonconformanceId(inspectionId, characteristic) : null,
            })),
          );
          return Object.assign(doc, { violations: kept.slice(-VIOLATIONS_KEPT) });
        });
      }
      default:
        return;
    }
  },
};
