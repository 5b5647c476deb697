import type { CalendarSegment } from '../../domain/calendar';
import type { MachineStatus } from '../../domain/machine';
import { DEFAULT_STATE_REASONS } from '../../domain/machine';

/** A machine in one state with its reason over [from, to) (ms). */
export type StateSegment = [from: number, to: number, state: MachineStatus, reason: string | null];
/**
 * Units seen at an instant: made (`total`) and rejected, by a device, an operator's report or an
 * inspection; `sinceSetup` is how long after the end of a set-up (seconds; 0 during one, null
 * when no set-up came before, or 0 for an operator's set-up scrap).
 */
export type CountEntry = [
  at: number,
  source: 'device' | 'operator' | 'inspection',
  product: string | null,
  total: number,
  rejects: number,
  sinceSetup: number | null,
];

/** Where a stop's time goes in the waterfall. */
export type StopLoss = 'plannedStop' | 'noDemand' | 'breakdown' | 'setup' | 'minorStop';

/** The built-in downtime reasons' places in the waterfall (the six big losses; planned stops and no demand before them). */
export const REASON_LOSSES: Readonly<Record<string, StopLoss>> = {
  'planned-stop': 'plannedStop',
  'planned-maintenance': 'plannedStop',
  break: 'plannedStop',
  'no-demand': 'noDemand',
  breakdown: 'breakdown',
  tooling: 'breakdown',
  changeover: 'setup',
  'material-shortage': 'setup',
  'no-operator': 'setup',
  'quality-hold': 'setup',
  'minor-stop': 'minorStop',
};
/** A reason the table does not know (a plant's own code) goes by the machine's state. */
export const STATE_LOSSES: Readonly<Record<Exclude<MachineStatus, 'running'>, StopLoss>> = {
  down: 'breakdown',
  setup: 'setup',
  idle: 'minorStop',
  maintenance: 'plannedStop',
};

/** A stop's reason: its own, else its state's default (events from before reasons were required). */
export const reasonOf = (state: Exclude<MachineStatus, 'running'>, reason: string | null): string =>
  reason ?? (state === 'down' ? 'breakdown' : DEFAULT_STATE_REASONS[state]);
export const lossOf = (state: Exclude<MachineStatus, 'running'>, reason: string): StopLoss =>
  REASON_LOSSES[reason] ?? STATE_LOSSES[state];

/** Time (ms) and units of a machine (or a sum of machines) over a period, before any ratio. */
export type OeeTotals = {
  calendarMs: number;
  nonWorkingMs: number;
  plannedStopMs: number;
  noDemandMs: number;
  breakdownMs: number;
  setupMs: number;
  minorStopMs: number;
  runMs: number;
  /** Run time outside shifts or in breaks: worked although not planned, so counted as planned busy time. */
  runOutsideShiftsMs: number;
  total: number;
  good: number;
  startupRejects: number;
  productionRejects: number;
  /** Ideal cycle x units, in seconds: net run time, and the rejects' and good units' time. */
  netRunSeconds: number;
  startupRejectSeconds: number;
  productionRejectSeconds: number;
  fullyProductiveSeconds: number;
  /** Products made without an ideal cycle on their machine: performance cannot be known. */
  unknownIdealProducts: string[];
  stops: Record<string, { ms: number; loss: StopLoss }>;
};

export const emptyTotals = (): OeeTotals => ({
  calendarMs: 0,
  nonWorkingMs: 0,
  plannedStopMs: 0,
  noDemandMs: 0,
  breakdownMs: 0,
  setupMs: 0,
  minorStopMs: 0,
  runMs: 0,
  runOutsideShiftsMs: 0,
  total: 0,
  good: 0,
  startupRejects: 0,
  productionRejects: 0,
  netRunSeconds: 0,
  startupRejectSeconds: 0,
  productionRejectSeconds: 0,
  fullyProductiveSeconds: 0,
  unknownIdealProducts: [],
  stops: {},
});

const NUMBERS = [
  'calendarMs',
  'nonWorkingMs',
  'plannedStopMs',
  'noDemandMs',
  'breakdownMs',
  'setupMs',
  'minorStopMs',
  'runMs',
  'runOutsideShiftsMs',
  'total',
  'good',
  'startupRejects',
  'productionRejects',
  'netRunSeconds',
  'startupRejectSeconds',
  'productionRejectSeconds',
  'fullyProductiveSeconds',
] as const;

/** The sum of two machines' or periods' totals (roll-ups are ratios of these sums). */
export const addTotals = (a: OeeTotals, b: OeeTotals): OeeTotals => {
  const out = emptyTotals();
  for (const key of NUMBERS) out[key] = a[key] + b[key];
  out.unknownIdealProducts = [...new Set([...a.unknownIdealProducts, ...b.unknownIdealProducts])].sort();
  for (const stops of [a.stops, b.stops])
    for (const [reason, stop] of Object.entries(stops)) {
      const known = out.stops[reason];
      out.stops[reason] = { ms: (known?.ms ?? 0) + stop.ms, loss: stop.loss };
    }
  return out;
};

/** The first index of a sorted list of intervals whose end is after `at`. */
const firstEndingAfter = <T>(items: readonly T[], end: (item: T) => number, at: number): number => {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (end(items[mid] as T) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * One machine's time over [from, to) (already clipped to its registration and now): each instant
 * goes to exactly one bucket, so calendar time = non-working + planned stops + no demand + planned
 * busy time, and planned busy time = breakdowns + set-up + minor stops + run time.
 * Running is run time wherever it happens; a stop outside shifts or in a break is non-working; in
 * a calendar planned stop, a planned stop; in working time, where its reason puts it.
 */
export const timeTotals = (
  from: number,
  to: number,
  calendar: readonly CalendarSegment[],
  states: readonly StateSegment[],
): OeeTotals => {
  const out = emptyTotals();
  if (to <= from) return out;
  out.calendarMs = to - from;
  const cuts = new Set<number>([from, to]);
  const calStart = firstEndingAfter(calendar, (s) => s.to, from);
  for (let i = calStart; i < calendar.length && (calendar[i] as CalendarSegment).from < to; i += 1) {
    const s = calendar[i] as CalendarSegment;
    cuts.add(Math.max(from, s.from)).add(Math.min(to, s.to));
  }
  const stateStart = firstEndingAfter(states, (s) => s[1], from);
  for (let i = stateStart; i < states.length && (states[i] as StateSegment)[0] < to; i += 1) {
    const s = states[i] as StateSegment;
    cuts.add(Math.max(from, s[0])).add(Math.min(to, s[1]));
  }
  const points = [...cuts].sort((a, b) => a - b);
  let ci = calStart;
  let si = stateStart;
  for (let k = 0; k + 1 < points.length; k += 1) {
    const a = points[k] as number;
    const ms = (points[k + 1] as number) - a;
    while (ci < calendar.length && (calendar[ci] as CalendarSegment).to <= a) ci += 1;
    while (si < states.length && (states[si] as StateSegment)[1] <= a) si += 1;
    const cal = calendar[ci];
    const kind = cal && cal.from <= a ? cal.kind : 'none';
    const seg = states[si];
    // a gap in the record (none is expected: states follow each other) is an idle machine
    const [state, given] = seg && seg[0] <= a ? [seg[2], seg[3]] : (['idle', null] as const);
    if (state === 'running') {
      out.runMs += ms;
      if (kind !== 'working' && kind !== 'plannedStop') out.runOutsideShiftsMs += ms;
      continue;
    }
    if (kind === 'none' || kind === 'break') {
      out.nonWorkingMs += ms;
      continue;
    }
    if (kind === 'plannedStop') {
      out.plannedStopMs += ms;
      continue;
    }
    const reason = reasonOf(state, given);
    const loss = lossOf(state, reason);
    out[`${loss}Ms`] += ms;
    out.stops[reason] = { ms: (out.stops[reason]?.ms ?? 0) + ms, loss };
  }
  return out;
};

type ProductUnits = {
  device: number;
  deviceRejects: number;
  deviceStartup: number;
  operator: number;
  operatorRejects: number;
  operatorStartup: number;
  inspection: number;
};

/**
 * One machine's units over a period, by the precedence the README states: units made are the
 * device's count when the machine counted anything in the period, else the operators' reports
 * (good + scrap + rework). Rejects are the larger of the device's and the operators' (an operator
 * reports the scrap the machine also rejected: the same units seen twice), plus first inspection
 * failures (units both had passed as good), at most the units made. Start-up rejects are those
 * within `startupMinutes` after a set-up ended (or reported as set-up scrap), the rest production
 * rejects. Each product's units are turned into time at the machine's ideal cycle for it.
 */
export const unitTotals = (
  entries: readonly CountEntry[],
  ideal: Readonly<Record<string, number>>,
  startupMinutes: number,
): Pick<
  OeeTotals,
  | 'total'
  | 'good'
  | 'startupRejects'
  | 'productionRejects'
  | 'netRunSeconds'
  | 'startupRejectSeconds'
  | 'productionRejectSeconds'
  | 'fullyProductiveSeconds'
  | 'unknownIdealProducts'
> => {
  const byProduct = new Map<string, ProductUnits>();
  let deviceCounted = false;
  for (const [, source, product, total, rejects, sinceSetup] of entries) {
    const key = product ?? '';
    const units = byProduct.get(key) ?? {
      device: 0,
      deviceRejects: 0,
      deviceStartup: 0,
      operator: 0,
      operatorRejects: 0,
      operatorStartup: 0,
      inspection: 0,
    };
    const startup = sinceSetup !== null && sinceSetup < startupMinutes * 60 ? rejects : 0;
    if (source === 'device') {
      deviceCounted ||= total > 0;
      units.device += total;
      units.deviceRejects += rejects;
      units.deviceStartup += startup;
    } else if (source === 'operator') {
      units.operator += total;
      units.operatorRejects += rejects;
      units.operatorStartup += sinceSetup === 0 ? rejects : 0;
    } else units.inspection += rejects;
    byProduct.set(key, units);
  }
  const out = {
    total: 0,
    good: 0,
    startupRejects: 0,
    productionRejects: 0,
    netRunSeconds: 0,
    startupRejectSeconds: 0,
    productionRejectSeconds: 0,
    fullyProductiveSeconds: 0,
    unknownIdealProducts: [] as string[],
  };
  for (const [product, u] of [...byProduct].sort(([a], [b]) => a.localeCompare(b))) {
    const total = deviceCounted ? u.device : u.operator;
    const seen = deviceCounted ? Math.max(u.deviceRejects, u.operatorRejects) : u.operatorRejects;
    const rejects = Math.min(total, seen + u.inspection);
    const startup = Math.min(rejects, deviceCounted ? Math.max(u.deviceStartup, u.operatorStartup) : u.operatorStartup);
    const good = total - rejects;
    out.total += total;
    out.good += good;
    out.startupRejects += startup;
    out.productionRejects += rejects - startup;
    if (total === 0) continue;
    const cycle = ideal[product];
    if (cycle === undefined) {
      out.unknownIdealProducts.push(product || '(unknown product)');
      continue;
    }
    out.netRunSeconds += cycle * total;
    out.startupRejectSeconds += cycle * startup;
    out.productionRejectSeconds += cycle * (rejects - startup);
    out.fullyProductiveSeconds += cycle * good;
  }
  return out;
};

const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;
const seconds = (ms: number): number => ms / 1000;

/**
 * The figures of a period from its totals (ISO 22400-2; the README defines each):
 * A = run / planned busy, P = ideal cycle x units / run, Q = good / units,
 * OEE = fully productive time / planned busy time (= A x P x Q), TEEP = fully productive / calendar,
 * utilisation = planned busy / calendar. Unknown when an ideal cycle is missing or a denominator is 0.
 */
export const oeeFigures = (t: OeeTotals) => {
  const plannedBusyMs = t.breakdownMs + t.setupMs + t.minorStopMs + t.runMs;
  const idealKnown = t.unknownIdealProducts.length === 0;
  const availability = ratio(t.runMs, plannedBusyMs);
  const performance = idealKnown ? ratio(t.netRunSeconds, seconds(t.runMs)) : null;
  const quality = ratio(t.good, t.total);
  const oee = idealKnown ? ratio(t.fullyProductiveSeconds, seconds(plannedBusyMs)) : null;
  const teep = idealKnown ? ratio(t.fullyProductiveSeconds, seconds(t.calendarMs)) : null;
  const stopMs = Object.values(t.stops).reduce((sum, s) => sum + s.ms, 0);
  let cumulative = 0;
  const stopPareto = Object.entries(t.stops)
    .sort(([ra, a], [rb, b]) => b.ms - a.ms || ra.localeCompare(rb))
    .map(([reasonCode, s]) => {
      cumulative += s.ms;
      return {
        reasonCode,
        loss: s.loss,
        seconds: seconds(s.ms),
        share: ratio(s.ms, stopMs),
        cumulativeShare: ratio(cumulative, stopMs),
      };
    });
  return {
    availability,
    performance,
    quality,
    oee,
    teep,
    utilisation: ratio(plannedBusyMs, t.calendarMs),
    performanceAboveOne: performance !== null && performance > 1 + 1e-9,
    unknownIdealCycleFor: t.unknownIdealProducts,
    calendarSeconds: seconds(t.calendarMs),
    plannedBusySeconds: seconds(plannedBusyMs),
    runSeconds: seconds(t.runMs),
    runOutsideShiftsSeconds: seconds(t.runOutsideShiftsMs),
    total: t.total,
    good: t.good,
    rejects: t.startupRejects + t.productionRejects,
    /** Calendar time, step by step down to fully productive time: the steps add up to calendarSeconds. */
    losses: {
      nonWorkingSeconds: seconds(t.nonWorkingMs),
      plannedStopSeconds: seconds(t.plannedStopMs),
      noDemandSeconds: seconds(t.noDemandMs),
      breakdownSeconds: seconds(t.breakdownMs),
      setupSeconds: seconds(t.setupMs),
      minorStopSeconds: seconds(t.minorStopMs),
      reducedSpeedSeconds: idealKnown ? seconds(t.runMs) - t.netRunSeconds : null,
      startupRejectSeconds: idealKnown ? t.startupRejectSeconds : null,
      productionRejectSeconds: idealKnown ? t.productionRejectSeconds : null,
      fullyProductiveSeconds: idealKnown ? t.fullyProductiveSeconds : null,
    },
    stopPareto,
  };
};

export type OeeFigures = ReturnType<typeof oeeFigures>;
