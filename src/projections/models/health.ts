import { DEFAULT_HEALTH_PARAMS, ewmaLimit } from '../../domain/health';
import { NotFoundError } from '../../domain/errors';
import type { EquipmentHealthDegradedV1 } from '../../domain/generated';
import type { Projection } from '../runner';

/** A signal's newest charted period (only `phase` while it learns again). */
export type SignalHealthFigures = {
  phase: 'learning' | 'monitoring';
  statistic?: 'rms' | 'mean';
  value?: number;
  z?: number;
  ewma?: number;
  cusum?: number;
  index?: number;
  baseline?: { mean: number; sigma: number };
  periodStart?: string;
};

/** A machine's health as the read model keeps it. */
export type MachineHealthDoc = {
  machineId: string;
  index: number;
  degraded: boolean;
  periodStart?: string;
  relearnedAt: string | null;
  relearnReason?: 'maintenance' | 'repair' | 'settings';
  /** The period and baseline window maintenance set (else the defaults). */
  settings?: { periodMinutes: number; baselinePeriods: number };
  signals: Record<string, SignalHealthFigures>;
  warnings: Array<Omit<EquipmentHealthDegradedV1, 'machineId'>>;
};

/** Each signal of a machine learning its baseline again. */
const learningAgain = (doc: Record<string, unknown> | undefined): Record<string, { phase: 'learning' }> =>
  Object.fromEntries(
    Object.keys((doc?.['signals'] as Record<string, unknown> | undefined) ?? {}).map((s) => [s, { phase: 'learning' }]),
  );

/** The warnings a machine keeps to show (the newest). */
const WARNINGS_KEPT = 20;

/**
 * Equipment health per machine: the health index and each signal's newest charted period (value,
 * phase, z, EWMA, CUSUM, index, baseline), from the health aggregate's own evaluations; the episode
 * open, the last re-learn, and the newest warnings.
 */
export const healthProjection: Projection = {
  name: 'health',
  version: 2,
  collections: { machines: {} },
  eventTypes: ['HealthEvaluated', 'EquipmentHealthDegraded', 'HealthBaselineReset', 'HealthSettingsChanged'],
  async apply(event, ctx) {
    switch (event.type) {
      case 'HealthEvaluated': {
        const { machineId, periods } = event.data;
        if (!periods?.length) return;
        return ctx.update('machines', machineId, (doc) => {
          const signals = { ...((doc?.['signals'] as Record<string, unknown> | undefined) ?? {}) };
          for (const period of periods)
            for (const { signal, ...figures } of period.signals)
              signals[signal] = { ...figures, periodStart: period.start };
          const last = periods.at(-1) as (typeof periods)[number];
          return {
            warnings: [],
            degraded: false,
            relearnedAt: null,
            ...doc,
            _id: machineId,
            machineId,
            index: last.index,
            periodStart: last.start,
            signals,
          };
        });
      }
      case 'EquipmentHealthDegraded': {
        const { machineId, ...warning } = event.data;
        return ctx.update('machines', machineId, (doc) => {
          const warnings = [warning, ...((doc?.['warnings'] as unknown[] | undefined) ?? [])].slice(0, WARNINGS_KEPT);
          return {
            index: warning.index,
            signals: {},
            relearnedAt: null,
            ...doc,
            _id: machineId,
            machineId,
            degraded: true,
            warnings,
          };
        });
      }
      case 'HealthBaselineReset': {
        const { machineId, resetAt, reason } = event.data;
        return ctx.update('machines', machineId, (doc) =>
          doc
            ? {
                ...doc,
                index: 100,
                degraded: false,
                signals: learningAgain(doc),
                relearnedAt: resetAt,
                relearnReason: reason,
              }
            : undefined,
        );
      }
      case 'HealthSettingsChanged': {
        const { machineId, periodMinutes, baselinePeriods, changedAt } = event.data;
        return ctx.update('machines', machineId, (doc) => ({
          index: 100,
          warnings: [],
          ...doc,
          _id: machineId,
          machineId,
          degraded: false,
          signals: learningAgain(doc),
          relearnedAt: changedAt,
          relearnReason: 'settings',
          settings: { periodMinutes, baselinePeriods },
        }));
      }
      default:
        return;
    }
  },
};

/** What the health read model answers: a machine's health, with the limits its charts run on. */
export const healthQueries = (reads: {
  get: (collection: string, id: string) => Promise<Record<string, unknown> | undefined>;
}) => ({
  machine: async (machineId: string) => {
    const doc = await reads.get('machines', machineId);
    if (!doc) throw new NotFoundError(`machine ${machineId} has no health charts yet (no telemetry evaluated)`);
    // the read store's documents are untyped: this one is written by healthProjection above
    const { _id, ...health } = doc as MachineHealthDoc & { _id: string };
    const p = DEFAULT_HEALTH_PARAMS;
    const { periodMinutes, baselinePeriods } = health.settings ?? {
      periodMinutes: p.periodMinutes,
      baselinePeriods: p.baselineIntervals,
    };
    return {
      ...health,
      limits: {
        degradedBelow: p.degradedBelow,
        recoveredAt: p.recoveredAt,
        ewma: ewmaLimit(p),
        cusum: p.h,
        lambda: p.lambda,
        L: p.L,
        k: p.k,
        baselinePeriods,
        periodMinutes,
      },
    };
  },
});
