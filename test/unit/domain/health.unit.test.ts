import { expect } from 'chai';
import {
  alarmRatio,
  baselineOf,
  createHealthDecider,
  DEFAULT_HEALTH_PARAMS,
  ewmaLimit,
  nextCusum,
  nextEwma,
  signalIndex,
  slopePerHour,
  type HealthCommand,
  type HealthEvent,
  type HealthParams,
  type HealthState,
  type SignalHealth,
} from '../../../src/domain/health';
import { alertRules, healthProcess, healthReasonCode, type Trigger } from '../../../src/domain/processes';

const P = DEFAULT_HEALTH_PARAMS;
const hour = (h: number): string => new Date(Date.parse('2026-11-20T00:00:00.000Z') + h * 3_600_000).toISOString();
const monitoring = (ewma: number, cusum: number): SignalHealth => ({
  phase: 'monitoring',
  mean: 0,
  sigma: 1,
  z: 0,
  ewma,
  cusum,
  recent: [],
});

describe('Equipment health: baseline, EWMA, CUSUM and index', () => {
  it('moves the EWMA by λ of each standardized value, from 0', () => {
    const seq = [1, 1, 1].reduce<number[]>((acc, z) => [...acc, nextEwma(acc.at(-1) ?? 0, z, 0.2)], []);
    // 0.2·1; 0.2 + 0.8·0.2; 0.2 + 0.8·0.36
    expect(seq[0]).to.be.closeTo(0.2, 1e-12);
    expect(seq[1]).to.be.closeTo(0.36, 1e-12);
    expect(seq[2]).to.be.closeTo(0.488, 1e-12);
  });
  it('adds z − k to the upper CUSUM and never lets it fall below 0', () => {
    const seq = [1, 2, -3, 0.6].reduce<number[]>((acc, z) => [...acc, nextCusum(acc.at(-1) ?? 0, z, 0.5)], []);
    expect(seq).to.deep.equal([0.5, 2, 0, 0.09999999999999998]);
  });
  it('learns the mean and σ, the larger of the sample σ and the batch-means long-run σ', () => {
    // alternating: sample σ √(8/7); batches of 4 all average 2, so the long-run σ is 0
    const noisy = baselineOf([1, 3, 1, 3, 1, 3, 1, 3]);
    expect(noisy.mean).to.equal(2);
    expect(noisy.sigma).to.be.closeTo(Math.sqrt(8 / 7), 1e-12);
    // a slow swing: batch means 0 and 10, variance 50, × 4 = 200, beyond the sample variance 200/7
    const swinging = baselineOf([0, 0, 0, 0, 10, 10, 10, 10]);
    expect(swinging.mean).to.equal(5);
    expect(swinging.sigma).to.be.closeTo(Math.sqrt(200), 1e-12);
    // a signal that does not vary: σ floored at 1% of its mean
    expect(baselineOf([100, 100, 100]).sigma).to.equal(1);
  });
  it('fits the trend per hour by least squares', () => {
    expect(slopePerHour([1, 3, 5, 7].map((v, t) => ({ t, v })))).to.be.closeTo(2, 1e-12);
    expect(slopePerHour([{ t: 0, v: 4 }])).to.equal(0);
  });
  it('indexes a signal 100 at its baseline, 50 at a chart limit and 0 at twice it', () => {
    const limit = ewmaLimit(P);
    expect(limit).to.be.closeTo(3.5 * Math.sqrt(0.2 / 1.8), 1e-12);
    expect(signalIndex(monitoring(0, 0), P)).to.equal(100);
    expect(signalIndex(monitoring(-2, 0), P)).to.equal(100);
    expect(signalIndex(monitoring(limit, 0), P)).to.be.closeTo(50, 1e-9);
    expect(signalIndex(monitoring(0, P.h / 2), P)).to.be.closeTo(75, 1e-9);
    expect(signalIndex(monitoring(limit / 2, P.h), P)).to.be.closeTo(50, 1e-9);
    expect(signalIndex(monitoring(0, 4 * P.h), P)).to.equal(0);
    expect(alarmRatio({ phase: 'learning', values: [1, 2] }, P)).to.equal(0);
  });
});

// a baseline of four hours, so a sequence fits in a test
const params: HealthParams = { ...P, baselineIntervals: 4 };
const decider = createHealthDecider(params);
const run = () => {
  let state: HealthState = decider.initialState;
  const send = (command: HealthCommand): HealthEvent[] => {
    const events = decider.decide(command, state);
    for (const event of events) state = decider.evolve(state, event);
    return events;
  };
  return {
    state: () => state,
    send,
    hour: (h: number, vibration: number, minutes = 60) =>
      send({
        type: 'EvaluateHealth',
        data: {
          machineId: 'M1',
          intervalStart: new Date(Date.parse(hour(h)) + (60 - minutes) * 60_000).toISOString(),
          intervalEnd: hour(h + 1),
          signals: [{ signal: 'vibration', count: minutes, mean: vibration / 2, rms: vibration }],
        },
        meta: { now: hour(h + 1), actor: 'process:health' },
      }),
  };
};

describe('Equipment health: the health aggregate', () => {
  it('learns, then warns once when vibration rises, naming the signal, its trend and its baseline', () => {
    const machine = run();
    [10, 12, 10, 12].forEach((v, h) =>
      expect(machine.hour(h, v).map((e) => e.type)).to.deep.equal(['HealthEvaluated']),
    );
    // baseline mean 11, σ √(4/3) (one batch: no long-run σ)
    const sigma = Math.sqrt(4 / 3);
    expect(machine.hour(4, 13).map((e) => e.type)).to.deep.equal(['HealthEvaluated']);
    expect(machine.hour(5, 14).map((e) => e.type)).to.deep.equal(['HealthEvaluated']);
    const crossing = machine.hour(6, 15);
    // z: 2/σ, 3/σ, 4/σ; EWMA 0.3464, 0.7967, 1.3302 (1.536/σ) > limit 1.1667: index 100 − 50 × 1.3302 / 1.1667
    expect(crossing.map((e) => e.type)).to.deep.equal(['HealthEvaluated', 'EquipmentHealthDegraded']);
    const warning = crossing[1] as Extract<HealthEvent, { type: 'EquipmentHealthDegraded' }>;
    expect(warning.data).to.deep.include({ machineId: 'M1', signal: 'vibration', statistic: 'rms', current: 15 });
    expect(warning.data.baseline.mean).to.equal(11);
    expect(warning.data.baseline.sigma).to.be.closeTo(sigma, 1e-6);
    expect(warning.data.z).to.be.closeTo(4 / sigma, 1e-6);
    expect(warning.data.ewma).to.be.closeTo((0.2 * 4 + 0.8 * (0.2 * 3 + 0.8 * 0.2 * 2)) / sigma, 1e-6);
    expect(warning.data.cusum).to.be.closeTo(9 / sigma - 1.5, 1e-6);
    expect(warning.data.slopePerHour).to.be.closeTo(1, 1e-9);
    expect(warning.data.index).to.be.closeTo(100 - (50 * (1.536 / sigma)) / ewmaLimit(params), 0.01);
    expect(warning.data.detectedAt).to.equal(hour(7));
    // still degraded, and worse: no second warning in the episode
    expect(machine.hour(7, 17).map((e) => e.type)).to.deep.equal(['HealthEvaluated']);
    expect(machine.hour(8, 19).map((e) => e.type)).to.deep.equal(['HealthEvaluated']);
  });

  it('re-learns after maintenance: healthy data at the new level raises nothing, a new drift warns again', () => {
    const machine = run();
    [10, 12, 10, 12, 13, 14, 15].forEach((v, h) => machine.hour(h, v));
    const reset = machine.send({
      type: 'ResetHealthBaseline',
      data: { machineId: 'M1', reason: 'maintenance', reference: 'PM-1@2026-11-20T08:00:00.000Z' },
      meta: { now: hour(8), actor: 'process:health' },
    });
    expect(reset.map((e) => e.type)).to.deep.equal(['HealthBaselineReset']);
    expect(machine.state()).to.deep.include({ index: 100, degraded: false });
    // the same maintenance again: nothing
    expect(
      machine.send({
        type: 'ResetHealthBaseline',
        data: { machineId: 'M1', reason: 'maintenance', reference: 'PM-1@2026-11-20T08:00:00.000Z' },
        meta: { now: hour(8), actor: 'process:health' },
      }),
    ).to.deep.equal([]);
    // after the work the bearing runs at 6 ± 0.5: learned as the new normal, 20 healthy hours, no warning
    const healthy = Array.from({ length: 24 }, (_, i) => 6 + (i % 2 === 0 ? 0.5 : -0.5));
    const events = healthy.flatMap((v, i) => machine.hour(9 + i, v));
    expect(events.filter((e) => e.type === 'EquipmentHealthDegraded')).to.have.length(0);
    const state = machine.state() as Extract<HealthState, { status: 'Watching' }>;
    expect(state.signals['vibration']).to.deep.include({ phase: 'monitoring', mean: 6 });
    expect(state.index).to.be.above(80);
    // a new drift is a new episode
    const drift = [7, 8, 9, 10].flatMap((v, i) => machine.hour(33 + i, v));
    expect(drift.filter((e) => e.type === 'EquipmentHealthDegraded')).to.have.length(1);
  });

  it('charts an hour from its intervals (RMS combined exactly), and an interval once', () => {
    const machine = run();
    const first = machine.send({
      type: 'EvaluateHealth',
      data: {
        machineId: 'M1',
        intervalStart: hour(0),
        intervalEnd: new Date(Date.parse(hour(0)) + 30 * 60_000).toISOString(),
        signals: [{ signal: 'vibration', count: 30, mean: 1, rms: 3 }],
      },
      meta: { now: hour(1), actor: 'process:health' },
    });
    // half an hour: the period still filling, nothing charted
    expect(first[0]?.type === 'HealthEvaluated' && first[0].data.periods).to.equal(undefined);
    const second = machine.hour(0, 4, 30);
    const period = second[0]?.type === 'HealthEvaluated' ? second[0].data.periods?.[0] : undefined;
    expect(period?.start).to.equal(hour(0));
    expect(period?.signals[0]).to.deep.include({ signal: 'vibration', statistic: 'rms', phase: 'learning' });
    expect(period?.signals[0]?.value).to.be.closeTo(Math.sqrt((9 * 30 + 16 * 30) / 60), 1e-12);
    // the same interval again (a process replaying): nothing
    expect(machine.hour(0, 4, 30)).to.deep.equal([]);
  });
});

describe('Equipment health: the period and baseline window maintenance sets', () => {
  it('learns over the window set on the stream (not the defaults), re-learns under new settings, and refuses a period that does not divide a day', () => {
    // the aggregate as the backbone runs it: default parameters (hours, 72 of them)
    const machine = (() => {
      const d = createHealthDecider();
      let state: HealthState = d.initialState;
      const send = (command: HealthCommand): HealthEvent[] => {
        const events = d.decide(command, state);
        for (const event of events) state = d.evolve(state, event);
        return events;
      };
      return { send, state: () => state, d };
    })();
    const configure = (periodMinutes: number, baselinePeriods: number) =>
      machine.send({
        type: 'ConfigureHealth',
        data: { machineId: 'M1', periodMinutes, baselinePeriods },
        meta: { now: hour(0), actor: 'chen.gong' },
      });
    expect(() => configure(25, 4)).to.throw(/does not divide a day/);
    expect(configure(30, 4).map((e) => e.type)).to.deep.equal(['HealthSettingsChanged']);
    // the same settings again: nothing
    expect(configure(30, 4)).to.deep.equal([]);
    const half = (i: number, vibration: number) =>
      machine.send({
        type: 'EvaluateHealth',
        data: {
          machineId: 'M1',
          intervalStart: new Date(Date.parse(hour(0)) + i * 1_800_000).toISOString(),
          intervalEnd: new Date(Date.parse(hour(0)) + (i + 1) * 1_800_000).toISOString(),
          signals: [{ signal: 'vibration', count: 30, mean: vibration / 2, rms: vibration }],
        },
        meta: { now: hour(1), actor: 'process:health' },
      });
    // each half hour is a period: four of them learn the baseline, then a rise warns within the morning
    const events = [10, 12, 10, 12, 13, 14, 15].flatMap((v, i) => half(i, v));
    expect(events.filter((e) => e.type === 'HealthEvaluated')).to.have.length(7);
    expect(events.filter((e) => e.type === 'EquipmentHealthDegraded')).to.have.length(1);
    // new settings: learning again, episode over
    expect(configure(60, 8).map((e) => e.type)).to.deep.equal(['HealthSettingsChanged']);
    const state = machine.state() as Extract<HealthState, { status: 'Watching' }>;
    expect(state).to.deep.include({ index: 100, degraded: false });
    expect(state.signals['vibration']).to.deep.equal({ phase: 'learning', values: [] });
  });
});

describe('Equipment health: the health process', () => {
  const at = '2026-11-20T10:00:00.000Z';
  const trigger = (t: Omit<Trigger, 'occurredAt'>): Trigger => ({ ...t, occurredAt: at }) as Trigger;
  it('sends each telemetry interval to the machine health charts', () => {
    const [directive] = healthProcess(
      trigger({
        type: 'TelemetryRecorded',
        data: {
          machineId: 'M1',
          intervalStart: hour(0),
          intervalEnd: hour(1),
          signals: [{ signal: 'vibration', count: 60, min: 1, max: 3, mean: 2, rms: 2.1, last: 2 }],
        },
      }),
    );
    expect(directive).to.deep.include({ aggregate: 'health', id: 'M1' });
    expect(directive?.command).to.deep.include({ type: 'EvaluateHealth' });
    expect(directive?.command.data).to.deep.include({
      signals: [{ signal: 'vibration', count: 60, mean: 2, rms: 2.1 }],
    });
  });
  it('opens a corrective request for a warning, with a reason naming the signal', () => {
    const directives = healthProcess(
      trigger({
        type: 'EquipmentHealthDegraded',
        data: {
          machineId: 'M1',
          signal: 'vibration',
          statistic: 'rms',
          index: 40,
          current: 15,
          baseline: { mean: 11, sigma: 1 },
          z: 4,
          ewma: 1.3,
          cusum: 6,
          slopePerHour: 1,
          detectedAt: hour(7),
        },
      }),
    );
    expect(directives).to.deep.equal([
      {
        aggregate: 'corrective',
        id: 'M1',
        command: {
          type: 'OpenCorrectiveRequest',
          data: { machineId: 'M1', openedAt: hour(7), reasonCode: 'health:vibration' },
          meta: { now: at, actor: 'process:health' },
        },
      },
    ]);
    expect(healthReasonCode('x'.repeat(200))).to.have.length(100);
  });
  it('raises one equipment-health alert per warning, in zh-CN and en', () => {
    const degraded = trigger({
      type: 'EquipmentHealthDegraded',
      data: {
        machineId: 'M1',
        signal: 'vibration',
        statistic: 'rms',
        index: 41.6,
        current: 15,
        baseline: { mean: 11, sigma: 1 },
        z: 4,
        ewma: 1.3,
        cusum: 6,
        slopePerHour: 1.25,
        detectedAt: hour(7),
      },
    });
    const [directive] = alertRules('Asia/Shanghai')(degraded);
    expect(directive).to.deep.include({ aggregate: 'alert', id: `equipment-health:M1:${hour(7)}` });
    expect(directive?.command.data).to.deep.include({
      kind: 'equipment-health',
      severity: 'warning',
      subject: { machineId: 'M1' },
      since: hour(7),
      text: {
        'zh-CN': '设备健康劣化：M1 的 vibration 偏离基线（当前 15，基线 11，每小时 1.25），健康指数 42。',
        en: 'Equipment health degraded: vibration on M1 drifts from its baseline (now 15, baseline 11, 1.25 per hour), health index 42.',
      },
    });
  });
  it('re-learns after maintenance performed and after a corrective request closed', () => {
    const performed = healthProcess(
      trigger({
        type: 'MaintenancePerformed',
        data: {
          planId: 'PM-1',
          machineId: 'M1',
          performedAt: at,
          performedBy: 'tech-1',
          late: false,
          nextDue: { dueAt: '2027-06-01T00:00:00.000Z' },
        },
      }),
    );
    expect(performed[0]?.command).to.deep.include({
      type: 'ResetHealthBaseline',
      data: { machineId: 'M1', reason: 'maintenance', reference: `PM-1@${at}` },
    });
    const closed = healthProcess(
      trigger({
        type: 'CorrectiveRequestClosed',
        data: {
          requestId: 'CR1-M1',
          machineId: 'M1',
          openedAt: hour(7),
          closedAt: at,
          repairSeconds: 3600,
          restoredTo: 'running',
        },
      }),
    );
    expect(closed[0]?.command).to.deep.include({
      type: 'ResetHealthBaseline',
      data: { machineId: 'M1', reason: 'repair', reference: 'CR1-M1' },
    });
  });
});
