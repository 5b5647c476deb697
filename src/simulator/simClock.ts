/**
 * A clock that runs `factor` times faster than the wall clock from `start`, but never past the limit
 * the simulation has reached (on a busy machine the simulation falls behind the wall clock: its
 * events would otherwise be stamped hours ahead of the simulated plant); never goes back.
 */
export type SimClock = {
  now(): Date;
  /** The simulation has got this far (ms): the clock may run up to it, not past it. Only ever raised. */
  limit(ms: number): void;
  /** From now on, time passes at the wall clock's pace, from where it has got to, with no limit. */
  realTime(): void;
};

export const createSimClock = (start: Date, factor: number, firstLimit = Number.POSITIVE_INFINITY): SimClock => {
  let anchorReal = Date.now();
  let anchorSim = start.getTime();
  let pace = factor;
  let ceiling = firstLimit;
  const now = () => new Date(Math.min(anchorSim + (Date.now() - anchorReal) * pace, ceiling));
  return {
    now,
    limit(ms) {
      ceiling = Math.max(ceiling, ms);
    },
    realTime() {
      anchorSim = now().getTime();
      anchorReal = Date.now();
      pace = 1;
      ceiling = Number.POSITIVE_INFINITY;
    },
  };
};

/** A small seeded generator (mulberry32): the same seed, the same plant. */
export const seededRandom = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (low: number, high: number) => low + next() * (high - low),
    int: (low: number, high: number) => Math.floor(low + next() * (high - low + 1)),
    /** An exponentially distributed wait with this mean (failure and repair times). */
    exponential: (mean: number) => -Math.log(1 - next()) * mean,
    chance: (p: number) => next() < p,
  };
};

export type Random = ReturnType<typeof seededRandom>;
