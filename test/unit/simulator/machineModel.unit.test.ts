import { expect } from 'chai';
import {
  createMachine,
  energyPerMinute,
  intervalReport,
  maintenancePlan,
  nextFailureAt,
  produce,
  type Job,
  type Machine,
} from '../../../src/simulator/machineModel';
import { planOrders } from '../../../src/simulator/orderPlan';
import { seededRandom } from '../../../src/simulator/simClock';
import { H, MIN, START, minuteOf, runMinutes, steady } from '../../support/simulatedMachine';

const [order] = planOrders({ runId: 'T', orders: 1, hours: 24 }, steady());
const jobOf = (minutesPerUnit: number, target: number): Job => ({
  order: order!,
  operation: { ...order!.operations[0]!, minutesPerUnit },
  card: 'card',
  target,
  made: 0,
  good: 0,
  scrap: 0,
  carry: 0,
});
/** A lathe (15 kW) in the given state. */
const lathe = (over: Partial<Machine>): Machine => ({ ...createMachine('T', 0), reportedAt: START, ...over });
const NEVER = START + 1000 * H;
const rates = { mtbfHours: 2, mttrHours: 0.5 };

describe('simulator: a machine minute by minute', () => {
  it('goes down at its seeded failure time, back up after the seeded repair, then fails again at the next seeded time', () => {
    const random = seededRandom(42);
    const replica = seededRandom(42);
    const failAt = nextFailureAt(START, random, rates.mtbfHours);
    expect(failAt).to.equal(START + replica.exponential(rates.mtbfHours) * H);
    // units take longer than the test, so failures and repairs are the only draws
    const { changes } = runMinutes(
      lathe({ state: 'running', failAt, job: jobOf(1e9, 10) }),
      START,
      START + 24 * H,
      random,
      rates,
    );

    const reason = () => (replica.chance(0.5) ? 'SPINDLE-ALARM' : 'TOOL-BREAK');
    const down1 = minuteOf(failAt);
    const reason1 = reason();
    const up1 = minuteOf(down1 + Math.max(5 * MIN, replica.exponential(rates.mttrHours) * H));
    const down2 = minuteOf(up1 + replica.exponential(rates.mtbfHours) * H);
    const reason2 = reason();
    expect(changes.slice(0, 3)).to.deep.equal([
      { state: 'down', at: down1, reasonCode: reason1 },
      { state: 'running', at: up1 },
      { state: 'down', at: down2, reasonCode: reason2 },
    ]);
    expect(changes.length, 'failures and repairs through a day at a two-hour MTBF').to.be.within(10, 40);
  });

  it('repairs for at least five minutes, and fails only while running a job', () => {
    const quick = { mtbfHours: 2, mttrHours: 0.001 };
    const { changes } = runMinutes(
      lathe({ state: 'running', failAt: START, job: jobOf(1e9, 10) }),
      START,
      START + 10 * MIN,
      steady(),
      quick,
    );
    expect(changes.map((c) => [c.state, (c.at - START) / MIN])).to.deep.equal([
      ['down', 0],
      ['running', 5],
    ]);
    const idle = runMinutes(lathe({ state: 'idle', failAt: START }), START, START + 60 * MIN, steady(), rates);
    expect(idle.changes).to.deep.equal([]);
    expect(
      idle.outcomes.every((o) => o === 'dispatch'),
      'an idle machine asks for a job',
    ).to.equal(true);
  });

  it('integrates energy per state over a step: the rated power times the state’s share', () => {
    const hour = (over: Partial<Machine>) =>
      runMinutes(lathe({ until: NEVER, failAt: NEVER, ...over }), START, START + H, steady(), rates).machine.kWh;
    expect(hour({ state: 'running', job: jobOf(1e9, 10) })).to.be.closeTo(15, 1e-9);
    expect(hour({ state: 'setup', job: jobOf(1e9, 10) })).to.be.closeTo(7.5, 1e-9);
    expect(hour({ state: 'idle' })).to.be.closeTo(3, 1e-9);
    expect(hour({ state: 'maintenance' })).to.be.closeTo(1.5, 1e-9);
    expect(hour({ state: 'down', job: jobOf(1e9, 10) })).to.be.closeTo(0.75, 1e-9);
    // a set-up that ends at minute 15: that minute is still charged at set-up power, the other 44 at full power
    expect(hour({ state: 'setup', until: START + 15 * MIN, job: jobOf(1e9, 10) })).to.be.closeTo(
      (15 * (16 * 0.5 + 44)) / 60,
      1e-9,
    );
    expect(energyPerMinute({ ratedKw: 11, state: 'running' })).to.be.closeTo(11 / 60, 1e-12);
  });

  it('counts units at the job’s cycle, never past the target, and says when the job is done', () => {
    const hourly = runMinutes(
      lathe({ state: 'running', failAt: NEVER, job: jobOf(2, 100) }),
      START,
      START + H,
      steady(),
      rates,
    );
    expect(hourly.machine.job?.made, '60 minutes at 2 minutes a unit').to.equal(30);
    expect([hourly.machine.total, hourly.machine.good, hourly.machine.product]).to.deep.equal([30, 30, order!.product]);
    expect(hourly.outcomes.includes('complete')).to.equal(false);

    const short = runMinutes(
      lathe({ state: 'running', failAt: NEVER, job: jobOf(0.25, 30) }),
      START,
      START + H,
      steady(),
      rates,
    );
    expect(short.machine.job?.made).to.equal(30);
    expect(short.machine.total, 'four a minute, the last minute only two').to.equal(30);
    expect(short.outcomes.indexOf('complete'), 'the 8th minute makes the 30th unit').to.equal(7);
  });

  it('scraps about one unit in fifty, and every unit made is either good or scrap', () => {
    // 32768 units a minute, capped at the target of 20 000
    const { job, total, good } = produce(jobOf(2 ** -15, 20_000), seededRandom(7));
    expect(job.made).to.equal(20_000);
    expect(job.good + job.scrap).to.equal(job.made);
    expect([total, good]).to.deep.equal([job.made, job.good]);
    expect(job.scrap / job.made).to.be.within(0.015, 0.025);
  });

  it('plans daily maintenance due 2 to 20 hours ahead, performed early, or late at the late rate', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 20; i += 1) {
      const m = createMachine('T', i);
      const onTime = maintenancePlan(m, START, random, 0);
      const due = Date.parse(onTime.plan.startsAt) + 24 * H;
      expect(due - START).to.be.within(2 * H, 20 * H);
      expect(due - onTime.performAt).to.be.within(5 * MIN, 40 * MIN);
      const late = maintenancePlan(m, START, random, 1);
      expect(late.performAt - (Date.parse(late.plan.startsAt) + 24 * H)).to.be.within(45 * MIN, 120 * MIN);
      expect(onTime.plan).to.deep.include({ planId: `PM-${m.machineId}`, cycle: { unit: 'days', every: 1 } });
    }
  });

  it('reports energy to 0.1 Wh, and counts only when units were made', () => {
    expect(intervalReport(lathe({ kWh: 1.234567 }))).to.deep.equal({ kWh: 1.2346, counts: undefined });
    expect(intervalReport(lathe({ kWh: 2, total: 5, good: 4, product: 'HUB-12' }))).to.deep.equal({
      kWh: 2,
      counts: { total: 5, good: 4, product: 'HUB-12' },
    });
  });
});
