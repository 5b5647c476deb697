// npm run bench:health [-- --machines 200 --months 3 --seed 7 --each --json]
// A simulated plant's hourly telemetry through the health aggregate's own decide and evolve: half the
// machines wear out (bearing vibration RMS rising for 1 to 4 days before each failure, then repaired),
// half stay healthy. Targets: a warning at least 4 simulated hours before at least 90% of failures,
// and at most one false alarm per machine-month on the healthy machines.
import { healthDecider, type HealthCommand, type HealthEvent, type HealthState } from '../src/domain/health';
import { argNumber, report, result } from './lib/report';

const MACHINES = argNumber('machines', 200);
const MONTHS = argNumber('months', 3);
const SEED = argNumber('seed', 7);
const HOURS = Math.round(MONTHS * 30 * 24);
const LEAD_HOURS = 4;
const REPAIR_HOURS = 8;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

/** mulberry32: a seeded generator, so a run is repeatable. */
const random = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
const rand = random(SEED);
const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rand();
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const iso = (hour: number): string => new Date(START + hour * HOUR).toISOString();
const meta = (hour: number) => ({ now: iso(hour), actor: 'bench' });

/** One machine's health stream, run through the aggregate's decide and evolve. */
const aggregate = (machineId: string) => {
  let state: HealthState = healthDecider.initialState;
  const send = (command: HealthCommand): HealthEvent[] => {
    const events = healthDecider.decide(command, state);
    for (const event of events) state = healthDecider.evolve(state, event);
    return events;
  };
  return {
    /** An hour's telemetry; true when it raised a warning. */
    hour: (hour: number, vibration: number, temperature: number, current: number): boolean =>
      send({
        type: 'EvaluateHealth',
        data: {
          machineId,
          intervalStart: iso(hour),
          intervalEnd: iso(hour + 1),
          signals: [
            // an hour of 1 Hz samples: the RMS and mean the devices' pipeline records
            { signal: 'vibration', count: 3600, mean: vibration * 0.9, rms: vibration },
            { signal: 'temperature', count: 3600, mean: temperature, rms: temperature },
            { signal: 'current', count: 3600, mean: current, rms: current * 1.01 },
          ],
        },
        meta: meta(hour),
      }).some((e) => e.type === 'EquipmentHealthDegraded'),
    reset: (hour: number, reference: string): void => {
      send({ type: 'ResetHealthBaseline', data: { machineId, reason: 'repair', reference }, meta: meta(hour) });
    },
  };
};

type Outcome = { failures: number[]; lateOrMissed: number; falseAlarms: number; hours: number };

/**
 * A machine's months: vibration RMS around its own level (5% noise), temperature with a daily cycle,
 * current with load noise. A worn machine fails after a random healthy spell; for 24 to 96 hours
 * before, its vibration rises (convex, to 2 to 3 times its level) and its temperature a little. Each
 * failure is repaired in 8 hours and the baseline re-learned, as the health process does; a warning
 * on a healthy stretch is a false alarm, its request closed 4 hours later (re-learning too).
 */
const simulate = (machineId: string, worn: boolean): Outcome => {
  const health = aggregate(machineId);
  const level = uniform(1.5, 4);
  const temp = uniform(45, 65);
  const amps = uniform(10, 30);
  const outcome: Outcome = { failures: [], lateOrMissed: 0, falseAlarms: 0, hours: HOURS };
  const nextFailure = (from: number) => {
    const at = from + Math.round(uniform(150, 700));
    return { at, wear: Math.round(uniform(24, 96)), growth: uniform(1, 2) };
  };
  let failure = worn ? nextFailure(0) : undefined;
  let warnedAt: number | undefined;
  let closeAt: number | undefined;
  for (let hour = 0; hour < HOURS; hour += 1) {
    if (failure && hour >= failure.at) {
      // failed: warned in time or not, then repaired and re-learned
      const lead = warnedAt === undefined ? 0 : failure.at - warnedAt;
      outcome.failures.push(lead);
      if (lead < LEAD_HOURS) outcome.lateOrMissed += 1;
      hour += REPAIR_HOURS;
      health.reset(hour, `repair-${machineId}-${hour}`);
      warnedAt = undefined;
      closeAt = undefined;
      failure = nextFailure(hour);
      continue;
    }
    if (closeAt !== undefined && hour >= closeAt) {
      health.reset(hour, `closed-${machineId}-${hour}`);
      closeAt = undefined;
    }
    const wearing = failure !== undefined && hour >= failure.at - failure.wear;
    const progress = wearing && failure ? (hour - (failure.at - failure.wear)) / failure.wear : 0;
    const vibration = level * (1 + 0.05 * gauss() + (failure ? failure.growth * progress ** 2 : 0));
    const temperature = temp + Math.sin((2 * Math.PI * hour) / 24) + 0.5 * gauss() + 3 * progress ** 2;
    const current = amps * (1 + 0.03 * gauss());
    if (health.hour(hour, vibration, temperature, current)) {
      if (wearing) warnedAt = hour + 1;
      else {
        outcome.falseAlarms += 1;
        closeAt = hour + 4;
      }
    }
  }
  return outcome;
};

const started = process.hrtime.bigint();
const outcomes = Array.from({ length: MACHINES }, (_, i) => ({
  worn: i % 2 === 0,
  ...simulate(`M${i + 1}`, i % 2 === 0),
}));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const worn = outcomes.filter((o) => o.worn);
const healthy = outcomes.filter((o) => !o.worn);
const leads = worn.flatMap((o) => o.failures).sort((a, b) => a - b);
const inTime = leads.filter((l) => l >= LEAD_HOURS).length;
const healthyMonths = healthy.reduce((s, o) => s + o.hours, 0) / (30 * 24);
const falseAlarms = healthy.reduce((s, o) => s + o.falseAlarms, 0);
const wornMonths = worn.reduce((s, o) => s + o.hours, 0) / (30 * 24);
const wornFalse = worn.reduce((s, o) => s + o.falseAlarms, 0);
const median = leads[Math.floor(leads.length / 2)] ?? 0;
const p10 = leads[Math.floor(leads.length * 0.1)] ?? 0;

if (!process.argv.includes('--json')) {
  // the lead time before each failure: all of them with --each, else how they spread
  if (process.argv.includes('--each'))
    outcomes.forEach((o, i) => {
      if (o.worn) console.log(`M${i + 1}: warned ${o.failures.map((l) => `${l} h`).join(', ')} before its failures`);
    });
  const spread = [0, LEAD_HOURS, 12, 24, 48, 96].map((from, i, edges) => {
    const to = edges[i + 1];
    const count = leads.filter((l) => l >= from && (to === undefined || l < to)).length;
    return `${to === undefined ? `≥${from}` : `${from}-${to}`} h: ${count}`;
  });
  console.log(`warning lead time before each of ${leads.length} failures (0 h: not warned) — ${spread.join(', ')}`);
}

report(
  `Equipment health benchmark: ${MACHINES} machines, ${MONTHS} months of hourly telemetry (seed ${SEED}), ` +
    `${HOURS * MACHINES} intervals in ${seconds.toFixed(1)} s`,
  [
    result({
      name: `failures warned at least ${LEAD_HOURS} h ahead`,
      value: inTime,
      unit: '',
      baseline: 'failures injected',
      baselineValue: leads.length,
      minimumRatio: 0.9,
    }),
    result({
      name: 'warning lead time before a failure, median',
      value: median,
      unit: 'h',
      baseline: 'lead time, 10th percentile',
      baselineValue: p10,
    }),
    result({
      name: 'false alarms on healthy machines (ratio: per machine-month)',
      value: falseAlarms,
      unit: '',
      baseline: 'machine-months simulated',
      baselineValue: healthyMonths,
      maximumRatio: 1,
    }),
    result({
      name: "false alarms on worn machines' healthy stretches (ratio: per machine-month)",
      value: wornFalse,
      unit: '',
      baseline: 'machine-months simulated',
      baselineValue: wornMonths,
    }),
  ],
);
