import { HOUR, MINUTE, PRODUCTS, WORK_CENTERS, idealSeconds, iso } from './catalog';
import type { Operation, Order } from './orderPlan';
import type { Random } from './simClock';

export type MachineState = 'running' | 'idle' | 'setup' | 'down' | 'maintenance';

/** An operation on a machine: `carry` holds the fraction of a unit made so far. */
export type Job = {
  order: Order;
  operation: Operation;
  card: string;
  target: number;
  made: number;
  good: number;
  scrap: number;
  carry: number;
};

export type Machine = {
  machineId: string;
  workCenter: string;
  ratedKw: number;
  state: MachineState;
  /** When a set-up, repair or maintenance ends. */
  until: number;
  failAt: number;
  job?: Job;
  /** Energy and counts since `reportedAt`, reported every 15 minutes. */
  kWh: number;
  total: number;
  good: number;
  product?: string;
  reportedAt: number;
};

export type StateChange = { state: MachineState; at: number; reasonCode?: string };

/** Mean running hours between failures and mean hours to repair. */
export type FailureRates = { mtbfHours: number; mttrHours: number };

/** Share of the rated power drawn in each state. */
export const POWER_SHARE: Record<MachineState, number> = {
  running: 1,
  setup: 0.5,
  idle: 0.2,
  maintenance: 0.1,
  down: 0.05,
};
export const SETUP_MINUTES = 15;
export const MAINTENANCE_MINUTES = 30;
export const SCRAP_RATE = 0.02;

/** Machines alternate between the work centers; each starts idle. */
export const createMachine = (runId: string, i: number): Machine => {
  const wc = WORK_CENTERS[i % WORK_CENTERS.length] as (typeof WORK_CENTERS)[number];
  return {
    machineId: `${runId}-M${i + 1}`,
    workCenter: wc.workCenter,
    ratedKw: wc.ratedKw,
    state: 'idle',
    until: 0,
    failAt: 0,
    kWh: 0,
    total: 0,
    good: 0,
    reportedAt: 0,
  };
};

/** The body that registers a machine, with its ideal cycle per product. */
export const registration = (m: Machine) => ({
  machineId: m.machineId,
  code: m.machineId,
  name: `${m.workCenter === 'WC-TURN' ? 'Lathe' : 'Mill'} ${m.machineId}`,
  type: m.workCenter === 'WC-TURN' ? 'lathe' : 'mill',
  workCenter: m.workCenter,
  ratedPowerKw: m.ratedKw,
  idealCycleSeconds: PRODUCTS.map((product) => ({ product, seconds: idealSeconds(product, m.workCenter) })),
});

/**
 * A machine's daily maintenance plan, first due 2 to 20 hours after `planned`, and when the work is
 * performed: 45 to 120 minutes late with the chance `lateRate`, else 5 to 40 minutes early.
 */
export const maintenancePlan = (m: Machine, planned: number, random: Random, lateRate: number) => {
  const dueAt = planned + random.between(2, 20) * HOUR;
  const late = random.chance(lateRate);
  const performAt = late ? dueAt + random.between(45, 120) * MINUTE : dueAt - random.between(5, 40) * MINUTE;
  const plan = {
    planId: `PM-${m.machineId}`,
    machineId: m.machineId,
    kind: 'maintenance',
    title: 'Lubrication and chip cleaning',
    cycle: { unit: 'days', every: 1 },
    startsAt: iso(dueAt - 24 * HOUR),
  };
  return { plan, performAt };
};

/** Maintenance waits until the machine is neither down nor busy with a job. */
export const maintenanceCanStart = (m: Machine): boolean => m.state !== 'down' && !m.job;

export const energyPerMinute = (m: Pick<Machine, 'ratedKw' | 'state'>): number =>
  (m.ratedKw * POWER_SHARE[m.state]) / 60;

/** The next failure: an exponential wait with the mean time between failures. */
export const nextFailureAt = (t: number, random: Random, mtbfHours: number): number =>
  t + random.exponential(mtbfHours) * HOUR;

/** The end of a repair: an exponential wait with the mean time to repair, at least five minutes. */
export const repairedAt = (t: number, random: Random, mttrHours: number): number =>
  t + Math.max(5 * MINUTE, random.exponential(mttrHours) * HOUR);

const stopped = (state: MachineState): boolean => state === 'down' || state === 'maintenance';

/** A running minute of a job: the units it finishes at its cycle (never past the target), each scrapped by chance. */
export const produce = (job: Job, random: Random): { job: Job; total: number; good: number } => {
  let { carry, made, good, scrap } = job;
  carry += 1 / job.operation.minutesPerUnit;
  while (carry >= 1 && made < job.target) {
    carry -= 1;
    made += 1;
    if (random.chance(SCRAP_RATE)) scrap += 1;
    else good += 1;
  }
  return { job: { ...job, carry, made, good, scrap }, total: made - job.made, good: good - job.good };
};

/** What the shell does after the minute: nothing more, complete the finished job, or give the machine a job. */
export type MinuteOutcome = { machine: Machine; then: 'nothing' | 'complete' | 'dispatch' };

/**
 * A minute of a machine: energy in its state, the end of a repair or maintenance, a failure while running,
 * the end of a set-up, and the units made. Each state change is yielded as it happens; the caller sends it
 * before resuming, so the random draws after a change come after it, as the plant's events do.
 */
export const machineMinute = function* (
  machine: Machine,
  t: number,
  random: Random,
  rates: FailureRates,
): Generator<StateChange, MinuteOutcome, void> {
  let m: Machine = { ...machine, kWh: machine.kWh + energyPerMinute(machine) };
  if (stopped(m.state) && t >= m.until) {
    if (m.state === 'down') m = { ...m, failAt: nextFailureAt(t, random, rates.mtbfHours) };
    m = { ...m, state: m.job ? 'running' : 'idle' };
    yield { state: m.state, at: t };
  }
  if (stopped(m.state)) return { machine: m, then: 'nothing' };
  const job = m.job;
  if (!job) return { machine: m, then: 'dispatch' };
  if (m.state === 'running' && t >= m.failAt) {
    const reasonCode = random.chance(0.5) ? 'SPINDLE-ALARM' : 'TOOL-BREAK';
    m = { ...m, state: 'down' };
    yield { state: 'down', at: t, reasonCode };
    return { machine: { ...m, until: repairedAt(t, random, rates.mttrHours) }, then: 'nothing' };
  }
  if (m.state === 'setup' && t >= m.until) {
    m = { ...m, state: 'running' };
    yield { state: 'running', at: t };
  }
  if (m.state !== 'running') return { machine: m, then: 'nothing' };
  const made = produce(job, random);
  m = {
    ...m,
    job: made.job,
    total: m.total + made.total,
    good: m.good + made.good,
    ...(made.total > 0 ? { product: made.job.order.product } : {}),
  };
  return { machine: m, then: made.job.made >= made.job.target ? 'complete' : 'nothing' };
};

/** Energy and counts since the last report (counts only when units were made). */
export const intervalReport = (m: Machine) => ({
  kWh: Math.round(m.kWh * 1e4) / 1e4,
  counts: m.total > 0 ? { total: m.total, good: m.good, ...(m.product ? { product: m.product } : {}) } : undefined,
});
