/** A clock that runs `factor` times faster than the wall clock from `start`; never goes back. */
export type SimClock = {
  now(): Date;
  /** From now on, time passes at the wall clock's pace, from where it has got to. */
  realTime(): void;
  /** From now on, time passes `factor` times faster than the wall clock, from where it has got to. */
  accelerate(factor: number): void;
};

/** `wallClockAtMost`: the simulated time never passes the wall clock (a demo of the plant's past hours). */
export const createSimClock = (start: Date, factor: number, options: { wallClockAtMost?: boolean } = {}): SimClock => {
  let anchorReal = Date.now();
  let anchorSim = start.getTime();
  let pace = factor;
  const now = () => {
    const at = anchorSim + (Date.now() - anchorReal) * pace;
    return new Date(options.wallClockAtMost ? Math.min(at, Date.now()) : at);
  };
  return {
    now,
    realTime() {
      anchorSim = now().getTime();
      anchorReal = Date.now();
      pace = 1;
    },
    accelerate(factor: number) {
      anchorSim = now().getTime();
      anchorReal = Date.now();
      pace = factor;
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
