import { machineMinute, type Machine, type StateChange, type FailureRates } from '../../src/simulator/machineModel';
import type { Random } from '../../src/simulator/simClock';

export const MIN = 60_000;
export const H = 3_600_000;
export const START = Date.UTC(2025, 2, 3, 6, 0);

/** A random that draws the middle of every range, the mean of every wait, and never hits a chance. */
export const steady = (): Random => ({
  next: () => 0.5,
  between: (low, high) => (low + high) / 2,
  int: (low) => low,
  exponential: (mean) => mean,
  chance: () => false,
});

/** Runs minutes [from, to) of one machine through the model as the simulator's shell does. */
export const runMinutes = (machine: Machine, from: number, to: number, random: Random, rates: FailureRates) => {
  const changes: StateChange[] = [];
  const outcomes: string[] = [];
  let m = machine;
  for (let t = from; t < to; t += MIN) {
    const minute = machineMinute(m, t, random, rates);
    let next = minute.next();
    for (; !next.done; next = minute.next()) changes.push(next.value);
    m = next.value.machine;
    outcomes.push(next.value.then);
  }
  return { machine: m, changes, outcomes };
};

/** The first minute of the run at or after `at`: when the model, stepping by minutes, sees it. */
export const minuteOf = (at: number): number => Math.ceil(at / MIN) * MIN;
