/**
 * Statistical process control for measured characteristics (Montgomery, Introduction to Statistical
 * Quality Control, ch. 6; the Western Electric Statistical Quality Control Handbook, 1956): control
 * limits from a baseline period, process capability against the specification, and the Western
 * Electric rules 1-4 on each new point. Pure functions: no clock, no I/O.
 */

/** Control chart constants by subgroup size n (Montgomery, Appendix VI). */
const CONSTANTS: Record<number, { d2: number; a2: number; d3: number; d4: number }> = {
  2: { d2: 1.128, a2: 1.88, d3: 0, d4: 3.267 },
  3: { d2: 1.693, a2: 1.023, d3: 0, d4: 2.574 },
  4: { d2: 2.059, a2: 0.729, d3: 0, d4: 2.282 },
  5: { d2: 2.326, a2: 0.577, d3: 0, d4: 2.114 },
  6: { d2: 2.534, a2: 0.483, d3: 0, d4: 2.004 },
  7: { d2: 2.704, a2: 0.419, d3: 0.076, d4: 1.924 },
  8: { d2: 2.847, a2: 0.373, d3: 0.136, d4: 1.864 },
  9: { d2: 2.97, a2: 0.337, d3: 0.184, d4: 1.816 },
  10: { d2: 3.078, a2: 0.308, d3: 0.223, d4: 1.777 },
};
export const MAX_SUBGROUP = 10;

export type ChartKind = 'I-MR' | 'Xbar-R';

/**
 * A chart's limits: the centre line and ±3σ of the plotted statistic (individuals or subgroup means),
 * σ of that statistic, and the limits of the dispersion chart (moving range or range).
 */
export type ControlLimits = {
  kind: ChartKind;
  subgroupSize: number;
  center: number;
  /** σ of a plotted point: σ within for individuals, σ within / √n for subgroup means. */
  sigma: number;
  /** σ within the process, from the mean (moving) range over d2. */
  sigmaWithin: number;
  ucl: number;
  lcl: number;
  rangeCenter: number;
  rangeUcl: number;
  rangeLcl: number;
  /** Points (individuals or subgroups) the limits were computed from. */
  baselinePoints: number;
};

const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** Individuals and moving range: σ = MR̄ / d2(2); limits X̄ ± 3σ; the MR chart's upper limit D4(2)·MR̄. */
export const individualsLimits = (values: readonly number[]): ControlLimits => {
  if (values.length < 2) throw new RangeError('an I-MR chart needs at least two values');
  const ranges = values.slice(1).map((v, i) => Math.abs(v - (values[i] as number)));
  const center = mean(values);
  const mr = mean(ranges);
  const { d2, d4 } = CONSTANTS[2] as { d2: number; d4: number };
  const sigma = mr / d2;
  return {
    kind: 'I-MR',
    subgroupSize: 1,
    center,
    sigma,
    sigmaWithin: sigma,
    ucl: center + 3 * sigma,
    lcl: center - 3 * sigma,
    rangeCenter: mr,
    rangeUcl: d4 * mr,
    rangeLcl: 0,
    baselinePoints: values.length,
  };
};

/** X̄ and R: limits X̿ ± A2·R̄, σ within = R̄ / d2(n); the R chart's limits D3·R̄ and D4·R̄. */
export const subgroupLimits = (subgroups: readonly (readonly number[])[]): ControlLimits => {
  const n = subgroups[0]?.length ?? 0;
  const constants = CONSTANTS[n];
  if (!constants) throw new RangeError(`subgroups of 2 to ${MAX_SUBGROUP} values, not ${n}`);
  if (subgroups.length < 2 || subgroups.some((g) => g.length !== n))
    throw new RangeError('an X̄-R chart needs at least two subgroups of the same size');
  const means = subgroups.map(mean);
  const ranges = subgroups.map((g) => Math.max(...g) - Math.min(...g));
  const center = mean(means);
  const r = mean(ranges);
  const sigmaWithin = r / constants.d2;
  return {
    kind: 'Xbar-R',
    subgroupSize: n,
    center,
    sigma: sigmaWithin / Math.sqrt(n),
    sigmaWithin,
    ucl: center + constants.a2 * r,
    lcl: center - constants.a2 * r,
    rangeCenter: r,
    rangeUcl: constants.d4 * r,
    rangeLcl: constants.d3 * r,
    baselinePoints: subgroups.length,
  };
};

export type Capability = { cp?: number; cpk?: number };

/**
 * Cp = (USL − LSL) / 6σ and Cpk = min(USL − μ, μ − LSL) / 3σ with σ within; one-sided specifications
 * give Cpk only (Cpu or Cpl); no σ, no figure.
 */
export const capability = (limits: ControlLimits, spec: { lower?: number; upper?: number }): Capability => {
  const { center, sigmaWithin: s } = limits;
  if (!(s > 0)) return {};
  const upper = spec.upper === undefined ? undefined : (spec.upper - center) / (3 * s);
  const lower = spec.lower === undefined ? undefined : (center - spec.lower) / (3 * s);
  const cpk = upper === undefined ? lower : lower === undefined ? upper : Math.min(upper, lower);
  return {
    ...(spec.upper !== undefined && spec.lower !== undefined ? { cp: (spec.upper - spec.lower) / (6 * s) } : {}),
    ...(cpk !== undefined ? { cpk } : {}),
  };
};

/** The Western Electric rules (zones A, B, C are the bands beyond 2σ, 1σ and within 1σ of the centre). */
export const RULES = {
  1: 'one point beyond 3σ',
  2: 'two of three consecutive points beyond 2σ on the same side',
  3: 'four of five consecutive points beyond 1σ on the same side',
  4: 'eight consecutive points on the same side of the centre line',
} as const;
export type Rule = keyof typeof RULES;
export const ALL_RULES: readonly Rule[] = [1, 2, 3, 4];

export type Violation = {
  rule: Rule;
  /** Indexes (into the points given) of the points that break the rule, the newest last. */
  points: number[];
  side: 'above' | 'below';
};

/**
 * The rules the newest point breaks, given the points so far (the newest last). A rule is broken by the
 * newest point when the run that breaks it ends at that point (the newest is one of the points beyond
 * the zone), so a run is reported once, when it forms.
 */
export const newViolations = (
  points: readonly number[],
  limits: Pick<ControlLimits, 'center' | 'sigma'>,
  rules: readonly Rule[] = ALL_RULES,
): Violation[] => {
  const last = points.length - 1;
  if (last < 0 || !(limits.sigma > 0)) return [];
  const z = (i: number): number => ((points[i] as number) - limits.center) / limits.sigma;
  const newest = z(last);
  const side = newest >= 0 ? 'above' : 'below';
  const sign = newest >= 0 ? 1 : -1;
  const found: Violation[] = [];
  /** Of the last `window` points, those beyond `k`σ on the newest point's side, when at least `need`. */
  const beyond = (rule: Rule, window: number, need: number, k: number): void => {
    if (sign * newest <= k || last + 1 < window) return;
    const run = Array.from({ length: window }, (_, j) => last - window + 1 + j).filter((i) => sign * z(i) > k);
    if (run.length >= need) found.push({ rule, points: run, side });
  };
  if (rules.includes(1) && Math.abs(newest) > 3) found.push({ rule: 1, points: [last], side });
  if (rules.includes(2)) beyond(2, 3, 2, 2);
  if (rules.includes(3)) beyond(3, 5, 4, 1);
  if (rules.includes(4) && last + 1 >= 8 && newest !== 0) {
    const run = Array.from({ length: 8 }, (_, j) => last - 7 + j);
    // the run forms at this point: eight on one side now, and the point before them was not on it
    const before = last - 8;
    if (run.every((i) => sign * z(i) > 0) && (before < 0 || !(sign * z(before) > 0)))
      found.push({ rule: 4, points: run, side });
  }
  return found;
};
