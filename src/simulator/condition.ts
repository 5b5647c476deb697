import { addSamples, signalAggregates, type SignalSums } from '../lib/signalSamples';
import { HOUR, MINUTE } from './catalog';
import type { Random } from './simClock';

/**
 * What the plant's sensors and gauges see, as pure functions of the simulated time: each machine's
 * spindle vibration (RMS, mm/s) and temperature while it runs, a bearing wearing on one machine
 * before its failure, and the bore the mills cut drifting (a thermal growth of the spindle) until
 * quality corrects it.
 */

/** One sample of a running machine's signals. */
export type Sample = { at: number; values: Record<string, number> };

/** How the demo's run places the injected faults, as shares of the run. */
export const WEAR_STARTS = 0.35;
export const WEAR_FAILS = 0.7;
export const DRIFT_STARTS = 0.55;
/** Minutes between samples of a running machine. */
export const SAMPLE_MINUTES = 1;

/** A normal variate (Box-Muller) from the generator. */
export const gaussian = (random: Random): number =>
  Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());

/** A bearing wearing over [from, failAt): vibration rising convexly to 2.5 times its level, the spindle warming. */
export type Wear = { from: number; failAt: number };

/** How far a wear has gone at `t`: 0 before it starts, 1 at the failure. */
export const wearAt = (wear: Wear | undefined, t: number): number =>
  wear === undefined || t < wear.from ? 0 : Math.min(1, (t - wear.from) / (wear.failAt - wear.from));

/** A machine's sensors: its own vibration level and temperature, 3% and 1% noise. */
export const createSensors = (random: Random) => {
  const level = 1.5 + 2.5 * random.next();
  const temperature = 45 + 15 * random.next();
  return (t: number, wear: Wear | undefined, noise: Random): Sample => {
    const x = wearAt(wear, t);
    return {
      at: t,
      values: {
        vibration: Math.round(level * (1 + 1.5 * x * x) * (1 + 0.03 * gaussian(noise)) * 1e4) / 1e4,
        spindleTempC: Math.round((temperature + 8 * x * x) * (1 + 0.01 * gaussian(noise)) * 100) / 100,
      },
    };
  };
};

/** Per signal, the aggregates a gateway sends for an interval's samples (as the device pipeline makes them). */
export const aggregates = (samples: readonly Sample[]) => {
  const sums = new Map<string, SignalSums>();
  for (const s of samples) addSamples(sums, s.values, s.at);
  return signalAggregates(sums);
};

/** The bore the mills cut: nominal 12.000 mm, σ 4 µm, tolerance ±30 µm. */
export const BORE = { nominal: 12, sigma: 0.004, lower: 11.97, upper: 12.03, unit: 'mm' } as const;
/** The drift: 4.8 µm an hour (1.2 σ) from its start until quality corrects it. */
const DRIFT_PER_HOUR = 0.0048;

/** A bore measured at `t`: the drift's offset since `from` (none once corrected), and the gauge's scatter. */
export const boreAt = (t: number, drift: { from: number; correctedAt?: number }, noise: Random): number => {
  const until = drift.correctedAt ?? t;
  const offset = t >= drift.from && t <= until ? ((t - drift.from) / HOUR) * DRIFT_PER_HOUR : 0;
  return Math.round((BORE.nominal + offset + BORE.sigma * gaussian(noise)) * 1e4) / 1e4;
};

/** Health charts for the demo: half-hour periods, and a healthy window of the run's first quarter (at least two hours). */
export const healthSettingsFor = (hours: number) => ({
  periodMinutes: 30,
  baselinePeriods: Math.max(4, Math.round(hours * 0.25 * 2)),
});

/** Patrol inspections every five minutes; limits once a chart has this many points before the drift. */
export const PATROL_MINUTES = 5;
export const BASELINE_POINTS = 20;
export const sampleDue = (t: number, start: number): boolean => (t - start) % (SAMPLE_MINUTES * MINUTE) === 0;
export const patrolDue = (t: number, start: number): boolean => (t - start) % (PATROL_MINUTES * MINUTE) === 0;
