import { expect } from 'chai';
import type { Calendar } from '../../src/domain/calendar';
import { createOeeBench, expectWaterfallSums } from '../support/oeeBench';

// one shift, 08:00-16:00 local on weekdays = 00:00Z-08:00Z; Wednesday 2026-11-25 is the day of every example
const ONE_SHIFT: Calendar = { shifts: [{ name: 'D', start: '08:00', end: '16:00' }], workingWeekdays: [1, 2, 3, 4, 5] };
const DAY = '2026-11-25';
const T = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`; // UTC time on the 25th
const BEFORE = '2026-11-24T12:00:00.000Z'; // registered the day before (20:00 local, outside the shift)

/** Hourly device counts of `perHour` units (all good unless `bad`) from `from` for `hours`. */
const hourly = async (
  bench: ReturnType<typeof createOeeBench>,
  m: string,
  from: number,
  hours: number,
  perHour: number,
  product = 'P',
  bad = 0,
) => {
  for (let h = from; h < from + hours; h += 1) {
    const start = T(`${String(h).padStart(2, '0')}:00`);
    const end = new Date(Date.parse(start) + 3_600_000).toISOString();
    await bench.count(m, start, end, perHour, perHour - (h === from ? bad : 0), product);
  }
};

describe('OEE by ISO 22400-2 against the plant calendar (worked examples)', () => {
  it('a perfect single shift is OEE 1.0; the day around it is TEEP 28800/64800', async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', BEFORE, { P: 30 });
    await bench.state('M1', 'running', T('00:00'));
    await bench.state('M1', 'idle', T('08:00'), 'no-demand');
    await hourly(bench, 'M1', 0, 8, 120); // 960 units x 30 s = 28800 s = the whole shift
    const q = bench.queries(T('10:00')); // 18:00 local
    const [shift] = await q.machine('M1', 'shift', DAY, DAY);
    // calendar 28800 = planned busy 28800 = run 28800; 960 x 30 s = 28800; 960 good of 960
    expect(shift).to.deep.include({
      date: DAY,
      shift: 'D',
      calendarSeconds: 28800,
      plannedBusySeconds: 28800,
      runSeconds: 28800,
    });
    expect(shift).to.deep.include({ availability: 1, performance: 1, quality: 1, oee: 1, teep: 1, utilisation: 1 });
    expectWaterfallSums(shift!);
    const [day] = await q.machine('M1', 'day', DAY, DAY);
    // the local day from 00:00 (16:00Z the 24th) to now (18:00 local): 18 h = 64800 s; 10 h of it outside the shift
    expect(day).to.deep.include({ calendarSeconds: 64800, plannedBusySeconds: 28800, oee: 1 });
    expect(day!.losses['nonWorkingSeconds']).to.equal(36000);
    expect(day!.teep).to.be.closeTo(28800 / 64800, 1e-12);
    expect(day!.utilisation).to.be.closeTo(28800 / 64800, 1e-12);
    expectWaterfallSums(day!);
  });

  it('a machine running the whole shift without a state change, asked mid-shift, shows live figures', async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', '2026-11-24T23:00:00.000Z', { P: 30 }); // 07:00 local
    await bench.state('M1', 'running', T('00:00'));
    await hourly(bench, 'M1', 0, 3, 120); // 360 units counted up to 03:00Z; the fourth hour not yet reported
    const [shift] = await bench.queries(T('04:00')).machine('M1', 'shift', DAY, DAY); // 12:00 local
    // calendar 4 h = 14400 s, all run (the open state up to now); P = 360 x 30 / 14400 = 0.75
    expect(shift).to.deep.include({ calendarSeconds: 14400, plannedBusySeconds: 14400, runSeconds: 14400 });
    expect(shift).to.deep.include({ availability: 1, performance: 0.75, quality: 1, oee: 0.75 });
    expect(shift!.losses['reducedSpeedSeconds']).to.equal(3600);
    expectWaterfallSums(shift!);
  });

  it('breaks, planned stops and no-demand time are outside planned busy time', async () => {
    const calendar: Calendar = {
      shifts: [{ name: 'D', start: '08:00', end: '16:00', breaks: [{ start: '12:00', end: '12:30' }] }],
      plannedStops: [{ name: 'morning meeting', kind: 'meeting', start: '08:00', end: '08:15' }],
    };
    const bench = createOeeBench(calendar);
    await bench.register('M1', BEFORE, { P: 60 });
    // local: idle 08:00-08:15 (meeting), run 08:15-12:00, idle 12:00-12:30 (lunch), run 12:30-14:00,
    // no demand 14:00-15:00, breakdown 15:00-15:30, run 15:30-16:00
    await bench.state('M1', 'running', T('00:15'));
    await bench.state('M1', 'idle', T('04:00'), 'minor-stop');
    await bench.state('M1', 'running', T('04:30'));
    await bench.state('M1', 'idle', T('06:00'), 'no-demand');
    await bench.state('M1', 'down', T('07:00'), 'breakdown');
    await bench.state('M1', 'running', T('07:30'));
    await bench.state('M1', 'idle', T('08:00'), 'no-demand');
    await bench.count('M1', T('00:15'), T('08:00'), 300, 297, 'P');
    const [shift] = await bench.queries('2026-11-26T00:00:00.000Z').machine('M1', 'shift', DAY, DAY);
    // calendar 28800; lunch 1800 non-working; meeting 900 planned stop; no demand 3600
    // planned busy = 28800 - 1800 - 900 - 3600 = 22500; breakdown 1800; run 13500 + 5400 + 1800 = 20700
    // A = 20700 / 22500 = 0.92; P = 300 x 60 / 20700; Q = 297 / 300 = 0.99; OEE = 297 x 60 / 22500 = 0.792
    expect(shift).to.deep.include({ calendarSeconds: 28800, plannedBusySeconds: 22500, runSeconds: 20700 });
    expect(shift!.losses).to.deep.include({
      nonWorkingSeconds: 1800,
      plannedStopSeconds: 900,
      noDemandSeconds: 3600,
      breakdownSeconds: 1800,
      setupSeconds: 0,
      minorStopSeconds: 0,
      reducedSpeedSeconds: 2700, // 20700 - 18000
      startupRejectSeconds: 0,
      productionRejectSeconds: 180, // 3 x 60
      fullyProductiveSeconds: 17820, // 297 x 60
    });
    expect(shift!.availability).to.be.closeTo(0.92, 1e-12);
    expect(shift!.performance).to.be.closeTo(18000 / 20700, 1e-12);
    expect(shift!.quality).to.be.closeTo(0.99, 1e-12);
    expect(shift!.oee).to.be.closeTo(0.792, 1e-12);
    expect(shift!.oee).to.be.closeTo(shift!.availability! * shift!.performance! * shift!.quality!, 1e-12);
    expect(shift!.stopPareto.map((s) => [s.reasonCode, s.seconds])).to.deep.equal([
      ['no-demand', 3600],
      ['breakdown', 1800],
    ]);
    expectWaterfallSums(shift!);
  });

  it('a machine registered mid-shift is measured from its registration only', async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', T('04:00'), { P: 30 }); // 12:00 local
    await bench.state('M1', 'running', T('04:00'));
    await hourly(bench, 'M1', 4, 4, 120); // 480 x 30 s = 14400 s
    const [shift] = await bench.queries(T('10:00')).machine('M1', 'shift', DAY, DAY);
    // 12:00-16:00 local: calendar 14400, all run, all ideal: OEE 1 (not 0.5 against the whole shift)
    expect(shift).to.deep.include({ calendarSeconds: 14400, plannedBusySeconds: 14400, oee: 1 });
    expectWaterfallSums(shift!);
  });

  it('operator scrap and an inspection reject lower quality beside the device count, each unit once', async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', BEFORE, { SHAFT: 240 });
    await bench.register('M2', BEFORE, { SHAFT: 240 });
    await bench.event('OrderPlanned', { orderId: 'PO-1', spec: { product: 'SHAFT' } });
    await bench.event('OperationStarted', {
      orderId: 'PO-1',
      operationId: '010',
      workCenter: 'WC-1',
      machineId: 'M1',
      startedAt: T('00:00'),
    });
    for (const m of ['M1', 'M2']) await bench.state(m, 'running', T('00:00'));
    // M1's device: 120 made, 119 good (it rejected 1); the operator reports 3 scrapped (the device's 1 among them);
    // inspection then fails 1 unit both had passed
    await bench.count('M1', T('00:00'), T('08:00'), 120, 119, 'SHAFT');
    await bench.event('OperationQuantityReported', {
      orderId: 'PO-1',
      operationId: '010',
      workCenter: 'WC-1',
      machineId: 'M1',
      good: 0,
      scrap: 3,
      rework: 0,
      scrapReason: 'dimension',
      reportedAt: T('05:00'),
    });
    await bench.event('InspectionFailed', {
      inspectionId: 'I-1',
      orderId: 'PO-1',
      operationId: '010',
      reason: 'routing',
      failed: [],
      characteristics: [],
      decidedAt: T('06:00'),
    });
    // M2 has no device count: the operator's report is its count, good 110 and scrap 10
    await bench.event('OperationQuantityReported', {
      orderId: 'PO-1',
      operationId: '010',
      workCenter: 'WC-1',
      machineId: 'M2',
      good: 110,
      scrap: 10,
      rework: 0,
      reportedAt: T('07:00'),
    });
    const q = bench.queries(T('08:00'));
    const [m1] = await q.machine('M1', 'shift', DAY, DAY);
    // rejects = max(device 1, operator 3) + inspection 1 = 4; good 116 of 120: Q = 116/120; P = 120 x 240 / 28800 = 1
    expect(m1).to.deep.include({ total: 120, good: 116, rejects: 4, performance: 1 });
    expect(m1!.quality).to.be.closeTo(116 / 120, 1e-12);
    expect(m1!.oee).to.be.closeTo((116 * 240) / 28800, 1e-12); // 0.9667
    expect(m1!.losses['productionRejectSeconds']).to.equal(960); // 4 x 240
    expectWaterfallSums(m1!);
    const [m2] = await q.machine('M2', 'shift', DAY, DAY);
    expect(m2).to.deep.include({ total: 120, good: 110, rejects: 10, performance: 1 });
    expectWaterfallSums(m2!);
  });

  it("performance above 1 is flagged with the ideal cycle used; a product without one is unknown, not another's", async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', BEFORE, { P: 60 });
    await bench.state('M1', 'running', T('00:00'));
    await bench.state('M1', 'idle', T('01:00'), 'no-demand');
    await bench.count('M1', T('00:00'), T('01:00'), 80, 80, 'P'); // 80 x 60 s = 4800 s in 3600 s of running
    const q = bench.queries(T('08:00'));
    const [shift] = await q.machine('M1', 'shift', DAY, DAY);
    expect(shift).to.deep.include({
      performanceAboveOne: true,
      idealCycleSeconds: { P: 60 },
      plannedBusySeconds: 3600,
    });
    expect(shift!.performance).to.be.closeTo(4800 / 3600, 1e-12);
    expect(shift!.losses['reducedSpeedSeconds']).to.equal(-1200); // the cycle is wrong: the waterfall still adds up
    expectWaterfallSums(shift!);
    await bench.count('M1', T('01:00'), T('02:00'), 10, 10, 'OTHER');
    const [unknown] = await q.machine('M1', 'shift', DAY, DAY);
    expect(unknown).to.deep.include({ performance: null, oee: null, teep: null, unknownIdealCycleFor: ['OTHER'] });
    expect(unknown!.availability).to.equal(1);
  });

  it('rolls two machines with different planned times up by planned busy time (a ratio of sums)', async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', BEFORE, { P: 60 });
    await bench.register('M2', BEFORE, { P: 60 });
    // M2 follows a calendar of its own, set through the API: 08:00-12:00 local
    await bench.event('CalendarVersionSet', {
      scope: 'machine',
      id: 'M2',
      version: 1,
      effectiveFrom: '2026-11-01',
      setAt: BEFORE,
      calendar: { shifts: [{ name: 'D', start: '08:00', end: '12:00' }] },
    });
    // M1: 8 h planned, 6 h run at the ideal cycle, 2 h down: OEE 0.75; M2: 4 h planned, 4 h run: OEE 1
    await bench.state('M1', 'running', T('00:00'));
    await bench.state('M1', 'down', T('06:00'), 'breakdown');
    await bench.state('M2', 'running', T('00:00'));
    await bench.state('M2', 'idle', T('04:00'), 'no-demand');
    await bench.count('M1', T('00:00'), T('06:00'), 360, 360, 'P');
    await bench.count('M2', T('00:00'), T('04:00'), 240, 240, 'P');
    const q = bench.queries(T('08:00'));
    expect((await q.machine('M1', 'shift', DAY, DAY))[0]?.oee).to.equal(0.75);
    expect((await q.machine('M2', 'shift', DAY, DAY))[0]?.oee).to.equal(1);
    const [wc] = await q.rollup('workCenter', 'WC-1', 'shift', DAY, DAY);
    // (21600 + 14400) / (28800 + 14400) = 36000 / 43200 = 0.8333..., not (0.75 + 1) / 2 = 0.875
    expect(wc).to.deep.include({ plannedBusySeconds: 43200, machines: ['M1', 'M2'] });
    expect(wc!.oee).to.be.closeTo(36000 / 43200, 1e-12);
    expectWaterfallSums(wc!);
    await bench.event('WorkCenterDefined', {
      code: 'WC-1',
      version: 1,
      effectiveFrom: BEFORE,
      record: { names: { en: 'Turning' }, site: 'S1', line: 'L1' },
    });
    for (const level of ['line', 'site'] as const) {
      const [rolled] = await q.rollup(level, level === 'line' ? 'L1' : 'S1', 'day', DAY, DAY);
      expect(rolled!.oee, level).to.be.closeTo(36000 / 43200, 1e-12);
    }
    const [plant] = await q.rollup('plant', undefined, 'range', DAY, DAY);
    expect(plant!.oee).to.be.closeTo(36000 / 43200, 1e-12);
    expectWaterfallSums(plant!);
  });

  it('a stop whose reason changes while it lasts is split between its reasons', async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', BEFORE, { P: 60 });
    await bench.state('M1', 'running', T('00:00'));
    await bench.state('M1', 'idle', T('04:00'), 'no-demand');
    await bench.state('M1', 'idle', T('06:00'), 'material-shortage'); // work came, the material did not
    await bench.state('M1', 'running', T('07:00'));
    await bench.count('M1', T('00:00'), T('08:00'), 300, 300, 'P');
    const [shift] = await bench.queries(T('08:00')).machine('M1', 'shift', DAY, DAY);
    // no demand 2 h (out of planned busy time); material shortage 1 h (set-up and adjustments); run 5 h
    // planned busy 6 h = 21600; A = 18000 / 21600; P = 300 x 60 / 18000 = 1; OEE = 18000 / 21600
    expect(shift).to.deep.include({ plannedBusySeconds: 21600, runSeconds: 18000, performance: 1 });
    expect(shift!.losses).to.deep.include({ noDemandSeconds: 7200, setupSeconds: 3600 });
    expect(shift!.oee).to.be.closeTo(18000 / 21600, 1e-12);
    expect(shift!.stopPareto.map((s) => [s.reasonCode, s.loss, s.seconds])).to.deep.equal([
      ['no-demand', 'noDemand', 7200],
      ['material-shortage', 'setup', 3600],
    ]);
    expectWaterfallSums(shift!);
  });

  it('rebuilds to the same figures', async () => {
    const bench = createOeeBench(ONE_SHIFT);
    await bench.register('M1', BEFORE, { P: 30 });
    await bench.state('M1', 'setup', T('00:00'));
    await bench.state('M1', 'running', T('00:20'));
    await bench.count('M1', T('00:20'), T('00:30'), 20, 17, 'P'); // 3 rejects within 15 min of the set-up: start-up
    await bench.count('M1', T('01:00'), T('02:00'), 100, 98, 'P');
    await bench.state('M1', 'idle', T('03:00'));
    const before = await bench.queries(T('04:00')).machine('M1', 'day', DAY, DAY);
    expect(before[0]!.losses).to.deep.include({
      startupRejectSeconds: 90,
      productionRejectSeconds: 60,
      setupSeconds: 1200,
    });
    expectWaterfallSums(before[0]!);
    await bench.rebuild();
    expect(await bench.queries(T('04:00')).machine('M1', 'day', DAY, DAY)).to.deep.equal(before);
  });
});
