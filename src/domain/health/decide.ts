import { ValidationError } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider, type Event } from '../messages';
import {
  addToPeriod,
  DEFAULT_HEALTH_PARAMS,
  healthIndex,
  periodEndOf,
  periodStartOf,
  periodValue,
  signalIndex,
  slopePerHour,
  startLearning,
  statisticOf,
  stepSignal,
  type HealthParams,
  type IntervalSignal,
  type PeriodSums,
  type SignalHealth,
  type Statistic,
} from './charts';

/**
 * Stream `health-<machineId>`: a machine's health charts, fed each telemetry interval by the health
 * process. It decides `EquipmentHealthDegraded` once per degradation episode: the episode ends when the
 * index is back at `recoveredAt`, or when maintenance or a repair resets the baselines.
 */
export type HealthEvaluated = Event<'HealthEvaluated', Schema.HealthEvaluatedV1>;
export type EquipmentHealthDegraded = Event<'EquipmentHealthDegraded', Schema.EquipmentHealthDegradedV1>;
export type HealthBaselineReset = Event<'HealthBaselineReset', Schema.HealthBaselineResetV1>;
export type HealthSettingsChanged = Event<'HealthSettingsChanged', Schema.HealthSettingsChangedV1>;
export type HealthEvent = HealthEvaluated | EquipmentHealthDegraded | HealthBaselineReset | HealthSettingsChanged;

/** A telemetry interval's aggregates per signal (sent by the health process for each TelemetryRecorded). */
export type EvaluateHealth = Command<
  'EvaluateHealth',
  { machineId: string; intervalStart: string; intervalEnd: string; signals: IntervalSignal[] }
>;
export type ResetHealthBaseline = Command<'ResetHealthBaseline', Omit<Schema.HealthBaselineResetV1, 'resetAt'>>;
/** Maintenance sets a machine's period and healthy baseline window (re-learning under them). */
export type ConfigureHealth = Command<'ConfigureHealth', Omit<Schema.HealthSettingsChangedV1, 'changedAt'>>;
export type HealthCommand = EvaluateHealth | ResetHealthBaseline | ConfigureHealth;

/** The settings a machine's charts run with, when maintenance set them (else the decider's). */
export type HealthSettings = Pick<HealthParams, 'periodMinutes' | 'baselineIntervals'>;

/** The evaluation period filling: its start and each signal's sums so far. */
export type OpenPeriod = { start: string; sums: Record<string, PeriodSums> };

/** The charts of a machine: each signal's state, the period filling, the index and its worst signal. */
export type HealthCharts = {
  signals: Record<string, SignalHealth>;
  open?: OpenPeriod;
  index: number;
  worst?: string;
};

export type HealthState =
  | { status: 'Initial'; settings?: HealthSettings }
  | (HealthCharts & {
      status: 'Watching';
      settings?: HealthSettings;
      machineId: string;
      /** The newest interval evaluated: an older or repeated one is not evaluated again. */
      lastIntervalEnd: string;
      /** A degradation episode is open: no second warning until it ends. */
      degraded: boolean;
      lastReset?: string;
    });

export const healthEventTypes = [
  'HealthEvaluated',
  'EquipmentHealthDegraded',
  'HealthBaselineReset',
  'HealthSettingsChanged',
] as const satisfies readonly HealthEvent['type'][];

/** The signals after one period's values, and the machine's index. */
export const stepHealth = (
  signals: Readonly<Record<string, SignalHealth>>,
  values: ReadonlyArray<{ signal: string; value: number }>,
  at: string,
  p: HealthParams = DEFAULT_HEALTH_PARAMS,
): { signals: Record<string, SignalHealth>; index: number; worst?: string } => {
  const next = { ...signals };
  for (const { signal, value } of values) next[signal] = stepSignal(next[signal] ?? startLearning(), value, at, p);
  return { signals: next, ...healthIndex(next, p) };
};

/** A period completed and charted: its values, and the charts after it. */
export type ChartedPeriod = {
  start: string;
  values: Array<{ signal: string; statistic: Statistic; value: number }>;
  charts: HealthCharts;
};

/**
 * One interval into the charts: added to its period; the period filling before it is charted when
 * the interval belongs to a later one, and the interval's own period when the interval reaches its end.
 */
export const addInterval = (
  charts: HealthCharts,
  interval: { intervalStart: string; intervalEnd: string; signals: readonly IntervalSignal[] },
  p: HealthParams = DEFAULT_HEALTH_PARAMS,
): { charts: HealthCharts; periods: ChartedPeriod[] } => {
  const start = periodStartOf(interval.intervalStart, p);
  const periods: ChartedPeriod[] = [];
  let current: HealthCharts = charts;
  const close = (open: OpenPeriod): void => {
    const values = Object.entries(open.sums).map(([signal, sums]) => ({ signal, ...periodValue(signal, sums) }));
    const { open: _closed, ...rest } = current;
    current = { ...rest, ...stepHealth(current.signals, values, periodEndOf(open.start, p), p) };
    periods.push({ start: open.start, values, charts: current });
  };
  if (current.open && current.open.start < start) close(current.open);
  const sums = { ...(current.open?.start === start ? current.open.sums : {}) };
  for (const s of interval.signals) sums[s.signal] = addToPeriod(sums[s.signal], s);
  current = { ...current, open: { start, sums } };
  if (Date.parse(interval.intervalEnd) >= Date.parse(periodEndOf(start, p))) close({ start, sums });
  return { charts: current, periods };
};

const round = (x: number, digits = 6): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The parameters a machine's charts run with: the decider's, with the period and window maintenance set. */
const paramsOf = (state: HealthState, p: HealthParams): HealthParams =>
  state.settings ? { ...p, ...state.settings } : p;

/** Learning again from the next intervals: each signal's baseline, the period filling dropped, no episode open. */
const relearn = (state: Extract<HealthState, { status: 'Watching' }>) => {
  const signals = Object.fromEntries(Object.keys(state.signals).map((s) => [s, startLearning()]));
  // the period filling mixes intervals from before the work: dropped
  const { open: _dropped, worst: _worst, ...rest } = state;
  return { ...rest, signals, index: 100, degraded: false };
};

/**
 * The health decider with its parameters (the aggregate runs `DEFAULT_HEALTH_PARAMS`); a machine's
 * period and baseline window are those its stream's `HealthSettingsChanged` set, so its history folds
 * the same whatever the defaults become.
 */
export const createHealthDecider = (
  defaults: HealthParams = DEFAULT_HEALTH_PARAMS,
): Decider<HealthCommand, HealthEvent, HealthState> => ({
  category: 'health',
  initialState: { status: 'Initial' },
  eventTypes: healthEventTypes,
  decide: (command, state) => {
    const { machineId } = command.data;
    const p = paramsOf(state, defaults);
    switch (command.type) {
      case 'EvaluateHealth': {
        const { intervalStart, intervalEnd, signals } = command.data;
        if (signals.length === 0) return [];
        const before: HealthCharts = state.status === 'Watching' ? state : { signals: {}, index: 100 };
        if (state.status === 'Watching') {
          // a repeated or older interval: already charted, or its period is
          if (Date.parse(intervalEnd) <= Date.parse(state.lastIntervalEnd)) return [];
          if (state.open && periodStartOf(intervalStart, p) < state.open.start) return [];
        }
        const { charts, periods } = addInterval(before, command.data, p);
        const evaluated: HealthEvaluated = {
          type: 'HealthEvaluated',
          data: {
            machineId,
            intervalStart,
            intervalEnd,
            signals: signals.map(({ signal, count, mean, rms }) => ({ signal, count, mean, rms })),
            ...(periods.length
              ? {
                  periods: periods.map(({ start, values, charts: after }) => ({
                    start,
                    signals: values.map(({ signal, statistic, value }) => {
                      const s = after.signals[signal] as SignalHealth;
                      const index = round(signalIndex(s, p), 2);
                      if (s.phase === 'learning') return { signal, statistic, value, phase: 'learning', index };
                      const [z, ewma, cusum] = [round(s.z), round(s.ewma), round(s.cusum)];
                      const baseline = { mean: round(s.mean), sigma: round(s.sigma) };
                      return { signal, statistic, value, phase: 'monitoring', z, ewma, cusum, index, baseline };
                    }),
                    index: round(after.index, 2),
                  })),
                }
              : {}),
          },
        };
        const degraded = state.status === 'Watching' && state.degraded;
        const worst = charts.worst === undefined ? undefined : charts.signals[charts.worst];
        if (degraded || periods.length === 0 || charts.index >= p.degradedBelow || worst?.phase !== 'monitoring')
          return [evaluated];
        const signal = charts.worst as string;
        const last = worst.recent.at(-1);
        return [
          evaluated,
          {
            type: 'EquipmentHealthDegraded',
            data: {
              machineId,
              signal,
              statistic: statisticOf(signal),
              index: round(charts.index, 2),
              current: round(last?.v ?? worst.mean),
              baseline: { mean: round(worst.mean), sigma: round(worst.sigma) },
              z: round(worst.z),
              ewma: round(worst.ewma),
              cusum: round(worst.cusum),
              slopePerHour: round(slopePerHour(worst.recent)),
              detectedAt: intervalEnd,
            },
          },
        ];
      }
      case 'ResetHealthBaseline': {
        if (state.status !== 'Watching' || state.lastReset === command.data.reference) return [];
        return [{ type: 'HealthBaselineReset', data: { ...command.data, resetAt: command.meta.now } }];
      }
      case 'ConfigureHealth': {
        const { periodMinutes, baselinePeriods } = command.data;
        if (1440 % periodMinutes !== 0)
          throw new ValidationError(`a health period of ${periodMinutes} minutes does not divide a day`, [
            {
              path: '/periodMinutes',
              message: 'must divide 1440 (a day) into whole periods: 5, 10, 15, 20, 30, 60...',
            },
          ]);
        if (state.settings?.periodMinutes === periodMinutes && state.settings.baselineIntervals === baselinePeriods)
          return [];
        return [{ type: 'HealthSettingsChanged', data: { ...command.data, changedAt: command.meta.now } }];
      }
      default:
        return unreachable(command);
    }
  },
  evolve: (state, event) => {
    const p = paramsOf(state, defaults);
    switch (event.type) {
      case 'HealthEvaluated': {
        const { machineId, intervalEnd } = event.data;
        const before: HealthCharts = state.status === 'Watching' ? state : { signals: {}, index: 100 };
        const { charts, periods } = addInterval(before, event.data, p);
        const wasDegraded = state.status === 'Watching' && state.degraded;
        return {
          ...(state.status === 'Watching' ? state : state.settings ? { settings: state.settings } : {}),
          ...charts,
          status: 'Watching',
          machineId,
          lastIntervalEnd: intervalEnd,
          degraded: wasDegraded && (periods.length === 0 || charts.index < p.recoveredAt),
        };
      }
      case 'EquipmentHealthDegraded':
        return state.status === 'Watching' ? { ...state, degraded: true } : state;
      case 'HealthBaselineReset':
        return state.status === 'Watching' ? { ...relearn(state), lastReset: event.data.reference } : state;
      case 'HealthSettingsChanged': {
        const settings = { periodMinutes: event.data.periodMinutes, baselineIntervals: event.data.baselinePeriods };
        return state.status === 'Watching' ? { ...relearn(state), settings } : { ...state, settings };
      }
    }
  },
});

export const healthDecider = createHealthDecider();
