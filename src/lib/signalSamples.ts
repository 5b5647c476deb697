/**
 * Samples of a machine's signals as one interval's aggregates: the device pipeline's windowing sums
 * what devices send, and a gateway (the simulator's) sends the same aggregates over HTTP.
 */

/** Per signal, the samples' count, extremes, sums, and the newest (by device time). */
export type SignalSums = {
  count: number;
  min: number;
  max: number;
  sum: number;
  sumSq: number;
  last: number;
  lastAt: number;
};

/** Adds one reading's values, taken at `at` (ms), to the sums per signal. */
export const addSamples = (into: Map<string, SignalSums>, values: Record<string, number>, at: number): void => {
  for (const [signal, value] of Object.entries(values)) {
    const s = into.get(signal);
    if (!s) {
      into.set(signal, { count: 1, min: value, max: value, sum: value, sumSq: value * value, last: value, lastAt: at });
      continue;
    }
    s.count += 1;
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
    s.sum += value;
    s.sumSq += value * value;
    if (at >= s.lastAt) {
      s.last = value;
      s.lastAt = at;
    }
  }
};

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/** The aggregates `TelemetryRecorded` carries, a signal each in name order: mean and RMS to 6 decimals. */
export const signalAggregates = (sums: ReadonlyMap<string, SignalSums>) =>
  [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([signal, v]) => ({
      signal,
      count: v.count,
      min: v.min,
      max: v.max,
      mean: round(v.sum / v.count),
      rms: round(Math.sqrt(v.sumSq / v.count)),
      last: v.last,
    }));
