/**
 * Equipment health, the statistics: per signal a baseline (mean and σ of the interval statistic over the
 * first `baselineIntervals` intervals after a (re)learn), then each interval standardized against it,
 * z = (x − μ) / σ, and watched by an upper EWMA and an upper one-sided CUSUM. Pure functions: the
 * health aggregate, its read model and the bench all run these.
 */

/** The charts' parameters (defaults in `DEFAULT_HEALTH_PARAMS`). */
export type HealthParams = {
  /** Length of an evaluation period: the intervals in it are combined into one charted value. Default 60 min. */
  periodMinutes: number;
  /** Periods of healthy running the baseline is learned from. Default 72 (three days of hours). */
  baselineIntervals: number;
  /** EWMA weight of the newest interval. Default 0.2. */
  lambda: number;
  /** EWMA limit in σ of the EWMA: L·√(λ/(2−λ)). Default 3.5. */
  L: number;
  /** CUSUM allowance in σ (half the shift to detect). Default 0.5. */
  k: number;
  /** CUSUM decision interval in σ. Default 8. */
  h: number;
  /** Below this health index the machine is degraded. Default 50 (a chart past its limit). */
  degradedBelow: number;
  /** At or above this index a degradation episode ends. Default 80. */
  recoveredAt: number;
  /** Periods the trend's slope is fitted on. Default 12. */
  trendIntervals: number;
};

export const DEFAULT_HEALTH_PARAMS: HealthParams = {
  periodMinutes: 60,
  baselineIntervals: 72,
  lambda: 0.2,
  L: 3.5,
  k: 0.5,
  h: 8,
  degradedBelow: 50,
  recoveredAt: 80,
  trendIntervals: 12,
};

/** The statistic a signal is charted on: the RMS of vibration signals, the mean of the others. */
export type Statistic = 'rms' | 'mean';
export const statisticOf = (signal: string): Statistic => (/vib/i.test(signal) ? 'rms' : 'mean');

/** A point of the trend: hours since the epoch and the value. */
export type TrendPoint = { t: number; v: number };

export type SignalHealth =
  | { phase: 'learning'; values: number[] }
  | {
      phase: 'monitoring';
      mean: number;
      sigma: number;
      z: number;
      ewma: number;
      cusum: number;
      recent: TrendPoint[];
    };

export const startLearning = (): SignalHealth => ({ phase: 'learning', values: [] });

/** Periods per batch in the long-run σ (batch means). */
const BATCH = 4;

/**
 * Mean and σ of a baseline. σ is the larger of the sample σ and the long-run σ from batch means
 * (√b × σ of the means of consecutive batches of b = 4 periods): a signal that drifts and returns in
 * its healthy running (a temperature's daily cycle) has neighbouring periods alike, which EWMA and
 * CUSUM would add up as a shift; the long-run σ sizes them for it. A floor (1% of |μ|, and 1e-9) keeps a
 * signal that does not vary standardizable.
 */
export const baselineOf = (values: readonly number[]): { mean: number; sigma: number } => {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, n);
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  const batches = Math.floor(n / BATCH);
  let longRun = 0;
  if (batches > 1) {
    const means = Array.from({ length: batches }, (_, b) => {
      const batch = values.slice(b * BATCH, (b + 1) * BATCH);
      return batch.reduce((s, v) => s + v, 0) / BATCH;
    });
    const m = means.reduce((s, v) => s + v, 0) / batches;
    longRun = (BATCH * means.reduce((s, v) => s + (v - m) ** 2, 0)) / (batches - 1);
  }
  return { mean, sigma: Math.max(Math.sqrt(Math.max(variance, longRun)), Math.abs(mean) * 0.01, 1e-9) };
};

/** The EWMA's limit in σ units: L·√(λ/(2−λ)) (its asymptotic standard deviation times L). */
export const ewmaLimit = (p: Pick<HealthParams, 'lambda' | 'L'>): number => p.L * Math.sqrt(p.lambda / (2 - p.lambda));

export const nextEwma = (previous: number, z: number, lambda: number): number => lambda * z + (1 - lambda) * previous;
export const nextCusum = (previous: number, z: number, k: number): number => Math.max(0, previous + z - k);

/** Least-squares slope of the points, per hour (0 with fewer than two). */
export const slopePerHour = (points: readonly TrendPoint[]): number => {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mv = points.reduce((s, p) => s + p.v, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.t - mt) * (p.v - mv), 0);
  return sxx > 0 ? sxy / sxx : 0;
};

/** One interval of a signal: learn, or standardize and move the charts. */
export const stepSignal = (s: SignalHealth, value: number, at: string, p: HealthParams): SignalHealth => {
  const t = Date.parse(at) / 3_600_000;
  if (s.phase === 'learning') {
    const values = [...s.values, value];
    if (values.length < p.baselineIntervals) return { phase: 'learning', values };
    return { phase: 'monitoring', ...baselineOf(values), z: 0, ewma: 0, cusum: 0, recent: [] };
  }
  const z = (value - s.mean) / s.sigma;
  return {
    ...s,
    z,
    ewma: nextEwma(s.ewma, z, p.lambda),
    cusum: nextCusum(s.cusum, z, p.k),
    recent: [...s.recent, { t, v: value }].slice(-p.trendIntervals),
  };
};

/**
 * How far a signal is toward its limits: the larger of EWMA / its limit and CUSUM / h (1: at a limit;
 * 0 while learning or at or below its baseline).
 */
export const alarmRatio = (s: SignalHealth, p: HealthParams): number =>
  s.phase === 'learning' ? 0 : Math.max(0, s.ewma / ewmaLimit(p), s.cusum / p.h);

/** A signal's health index: 100 − 50 × ratio, within 0..100 (50 at a chart's limit, 0 at twice it). */
export const signalIndex = (s: SignalHealth, p: HealthParams): number =>
  Math.max(0, Math.min(100, 100 - 50 * alarmRatio(s, p)));

/** A machine's health index: its worst signal's (100 with no signal charted yet); and that signal. */
export const healthIndex = (
  signals: Readonly<Record<string, SignalHealth>>,
  p: HealthParams,
): { index: number; worst?: string } =>
  Object.entries(signals).reduce<{ index: number; worst?: string }>(
    (acc, [name, s]) => {
      const index = signalIndex(s, p);
      return index < acc.index ? { index, worst: name } : acc;
    },
    { index: 100 },
  );

/** A signal's samples in a period so far: the sums that keep its mean and RMS exact. */
export type PeriodSums = { count: number; sum: number; sumSq: number };
/** An interval's aggregates of a signal, as TelemetryRecorded carries them. */
export type IntervalSignal = { signal: string; count: number; mean: number; rms: number };

export const addToPeriod = (into: PeriodSums | undefined, s: IntervalSignal): PeriodSums => ({
  count: (into?.count ?? 0) + s.count,
  sum: (into?.sum ?? 0) + s.mean * s.count,
  sumSq: (into?.sumSq ?? 0) + s.rms * s.rms * s.count,
});

/** The period's charted value of a signal: its RMS or its mean. */
export const periodValue = (signal: string, sums: PeriodSums): { statistic: Statistic; value: number } => {
  const statistic = statisticOf(signal);
  return { statistic, value: statistic === 'rms' ? Math.sqrt(sums.sumSq / sums.count) : sums.sum / sums.count };
};

/** The start of the period an instant falls in (periods aligned on the epoch, so on the hour by default). */
export const periodStartOf = (at: string, p: Pick<HealthParams, 'periodMinutes'>): string => {
  const ms = p.periodMinutes * 60_000;
  return new Date(Math.floor(Date.parse(at) / ms) * ms).toISOString();
};
export const periodEndOf = (start: string, p: Pick<HealthParams, 'periodMinutes'>): string =>
  new Date(Date.parse(start) + p.periodMinutes * 60_000).toISOString();
