import { expect } from 'chai';
import { join } from 'node:path';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../../src/lib/logger';
import { DEFAULT_EMISSION_FACTOR } from '../../src/app/plant';
import type { ReadStore } from '../../src/app/readStore';
import { createProjections } from '../../src/projections';
import { oeeProjection } from '../../src/projections/models/oee';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import type { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { openPlantStore, runPlantDay } from '../support/plantDay';
import { makeTempDir } from '../support/tmp';
import { TEST_PLANT } from '../support/readStoreDump';

const plant = TEST_PLANT;
const NOW = new Date('2026-11-25T09:00:00.000Z');

describe('read models over a scripted production day', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-read-');
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let runtime: ReadModelsRuntime;
  let q: ReadModelQueries;

  before(async () => {
    store = openPlantStore(temp.dir);
    readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
    // the projections run live while the day happens
    runtime = await startReadModels({ store, readStore, logger: createLogger('error') }, createProjections(plant), {
      batchSize: 50,
    });
    await runPlantDay(store, temp.dir);
    await runtime.idle();
    q = createReadModelQueries(readStore, plant, () => NOW);
  });
  after(async () => {
    await runtime.stop();
    await readStore.close();
    await store.close();
    temp.remove();
  });

  it('WIP: each order with its operations, quantity remaining, priority, due date and lateness', async () => {
    const po1 = await q.wip.order('PO-1');
    expect(po1).to.deep.include({ status: 'Completed', quantityRemaining: 0, priority: 2, late: false });
    expect(po1['operations']).to.deep.equal([
      {
        operationId: '010',
        workCenter: 'WC-TURN',
        status: 'completed',
        good: 10,
        scrap: 2,
        rework: 1,
        plannedMinutes: 50, // setup 30 + 2 min/unit x 10 units
        // when and where it ran (the planner's Gantt)
        startedAt: '2026-11-25T00:30:00.000Z',
        completedAt: '2026-11-25T07:48:00.000Z',
        machineId: 'M1',
      },
    ]);
    expect(await q.wip.order('PO-2')).to.deep.include({ status: 'Released', quantityRemaining: 45, late: true });
    const open = await q.wip.orders({
      filter: { status: 'Released' },
      sort: { field: 'priority', direction: 1 },
      limit: 2,
    });
    expect(open.items.map((o) => o['orderId'])).to.deep.equal(['PO-2', 'PO-4']);
    const rest = await q.wip.orders({
      filter: { status: 'Released' },
      sort: { field: 'priority', direction: 1 },
      limit: 2,
      cursor: open.nextCursor,
    });
    expect(rest.items.map((o) => o['orderId'])).to.deep.equal(['PO-5']);
  });

  it('dispatch: the work center queue in dispatch order, what runs, and load in hours', async () => {
    const wc = await q.wip.workCenter('WC-TURN');
    expect((wc['queue'] as Array<{ orderId: string }>).map((e) => e.orderId)).to.deep.equal(['PO-2', 'PO-4', 'PO-5']);
    expect(wc['running']).to.deep.equal([]);
    expect(wc['loadHours']).to.equal(6); // three queued operations of 30 + 2 x 45 = 120 minutes
  });

  it('quality: the open loop with its age, lot and disposition; yields; the defect Pareto', async () => {
    const [loop, ...others] = await q.quality.loops({ state: { $ne: 'closed' } });
    expect(others).to.deep.equal([]);
    expect(loop).to.deep.include({
      nonconformanceId: 'NC-I-1',
      lotId: 'L-3',
      orderId: 'PO-2',
      state: 'rework',
      disposition: 'rework',
      ageHours: 4,
    });
    // PO-1 (10 units) reports scrap 2 and rework 1, then good 10 at completion: 10 good of 10 received
    // means the 3 came back good after rework (re-reports, README "Yields"): 10 units judged, 7 good at
    // the first pass, 10 good at the end -> first-pass yield 0.7, final yield 1
    const [product] = await q.quality.yields('product');
    expect(product).to.deep.include({
      key: 'SHAFT',
      units: 10,
      firstPassGood: 7,
      good: 10,
      scrap: 0,
      rework: 1,
      firstPassYield: 0.7,
      finalYield: 1,
      rolledThroughputYield: 0.7,
    });
    expect((await q.quality.yields('workCenter')).map((y) => y.key)).to.deep.equal(['WC-TURN']);
    expect((await q.quality.yields('day')).map((y) => y.key)).to.deep.equal(['2026-11-25']);
    expect((await q.quality.yields('operation')).map((y) => y.key)).to.deep.equal(['SHAFT/010']);
    // units: the 2 scrapped and the 1 reworked; the failed inspection of L-3 names no operation of PO-2
    // that reported units, so it counts as a characteristic failure only
    expect(await q.quality.defectUnits()).to.deep.equal([
      { kind: 'scrap', reason: 'BURR', units: 2, cumulativeShare: 2 / 3 },
      { kind: 'rework', reason: 'rework', units: 1, cumulativeShare: 1 },
    ]);
    expect(await q.quality.characteristicFailures()).to.deep.equal([
      { characteristic: 'diameter', failures: 1, cumulativeShare: 1 },
    ]);
  });

  it('maintenance: the overdue list, latest first; plans with next due; MTBF and MTTR', async () => {
    const overdue = await q.maintenance.overdue();
    expect(overdue.map((p) => [p['planId'], p['overdueSince'], p.hoursOverdue])).to.deep.equal([
      ['P3', '2026-11-24T12:00:00.000Z', 21],
      ['P1', '2026-11-25T00:00:00.000Z', 9],
    ]);
    const [p2] = await q.maintenance.plans('M2');
    expect(p2).to.deep.include({ planId: 'P2', due: { dueAt: '2026-11-27T00:00:00.000Z' }, overdueSince: null });
    // running 9000 + 15480 s = 6.8 h over 1 failure; 1800 s down over 1 repair
    expect(await q.maintenance.reliability('M1')).to.deep.include({
      failures: 1,
      repairs: 1,
      mtbfHours: 6.8,
      mttrHours: 0.5,
    });
  });

  it('carbon: kWh and kg CO2 per order, per unit, per machine (with overhead) and per day', async () => {
    const factor = DEFAULT_EMISSION_FACTOR.kgCo2ePerKWh; // 0.5306
    const order = await q.carbon.order('PO-1');
    expect(order.kWh).to.be.closeTo(52, 1e-9);
    expect(order.kgCo2).to.be.closeTo(52 * factor, 1e-9); // 27.5912: the default factor counts CO2 only
    expect(order.kgCo2PerUnit).to.be.closeTo(2.75912, 1e-9);
    const machine = await q.carbon.machine('M1');
    expect(machine.kWh).to.be.closeTo(55.6, 1e-9);
    expect(machine.overheadKWh).to.be.closeTo(3.6, 1e-9);
    const product = await q.carbon.product('SHAFT');
    expect(product.kWhPerUnit).to.be.closeTo(5.2, 1e-9);
    const day = await q.carbon.day('2026-11-25');
    expect(day.kgCo2).to.be.closeTo(29.50136, 1e-9);
    // a new factor re-projects past figures
    const regional = createReadModelQueries(
      readStore,
      {
        ...plant,
        emissionFactors: [
          DEFAULT_EMISSION_FACTOR,
          { site: '*', from: '2026-01-01', kgCo2ePerKWh: 0.6, source: 'test' },
        ],
      },
      () => NOW,
    );
    expect((await regional.carbon.order('PO-1')).kgCo2).to.be.closeTo(31.2, 1e-9);
  });

  it('OEE: M1 in shift A is 0.85 x 0.8 x 0.9375 = 0.6375 with its waterfall; the day up to now is 0.51', async () => {
    const [shiftA] = (await q.oee.shifts('M1', '2026-11-25', '2026-11-25')).filter((s) => s.shift === 'A');
    // shift A 00:00-08:00Z: setup 1800 (changeover), run 9000 + 15480 = 24480, down 1800 (SPINDLE), idle 720
    // (minor stop); 544 units x 36 s = 19584 s; 510 good (the operator's 3 are within the device's 34 rejects)
    expect(shiftA).to.deep.include({
      availability: 0.85,
      performance: 0.8,
      quality: 0.9375,
      plannedBusySeconds: 28800,
    });
    expect(shiftA?.oee).to.be.closeTo(0.6375, 1e-12);
    expect(shiftA?.losses).to.deep.equal({
      nonWorkingSeconds: 0,
      plannedStopSeconds: 0,
      noDemandSeconds: 0,
      breakdownSeconds: 1800,
      setupSeconds: 1800,
      minorStopSeconds: 720,
      reducedSpeedSeconds: 4896, // 24480 - 19584
      startupRejectSeconds: 0,
      productionRejectSeconds: 1224, // 34 x 36
      fullyProductiveSeconds: 18360, // 510 x 36
    });
    // the local day from M1's registration (23:00Z) to now (09:00Z): 36000 s, all in shifts C, A and B;
    // idle 3600 before shift A (minor stop), shift A as above, setup since 08:00Z counted up to now (3600)
    const [day] = await q.oee.days('M1', '2026-11-25', '2026-11-25');
    expect(day).to.deep.include({ calendarSeconds: 36000, plannedBusySeconds: 36000, runSeconds: 24480 });
    expect(day?.losses).to.deep.include({ setupSeconds: 5400, minorStopSeconds: 4320, breakdownSeconds: 1800 });
    expect(day?.oee).to.be.closeTo(0.51, 1e-12); // 18360 / 36000
    expect(day?.teep).to.be.closeTo(0.51, 1e-12);
  });

  it('OEE: a machine’s day kept in parts of two segments or entries gives the same figures and timeline as in one', async () => {
    const parted = createSqliteReadStore(join(temp.dir, 'parted.db'));
    const oee = await startReadModels({ store, readStore: parted, logger: createLogger('error') }, [
      oeeProjection(plant.timeZone, { partItems: 2 }),
    ]);
    try {
      await oee.idle();
      const namespace = (await parted.active('oee')) as string;
      // in its parts, the day's first holding the count of them
      const day = await parted.get(namespace, 'states', 'M1|2026-11-25');
      expect(day?.['parts']).to.equal(3);
      expect(day?.['segments']).to.have.length(2);
      expect((await parted.get(namespace, 'states', 'M1|2026-11-25#3'))?.['segments']).to.have.length(2);
      const p = createReadModelQueries(parted, plant, () => NOW);
      for (const machineId of ['M1', 'M2']) {
        expect(await p.oee.shifts(machineId, '2026-11-25', '2026-11-25')).to.deep.equal(
          await q.oee.shifts(machineId, '2026-11-25', '2026-11-25'),
        );
        expect(await p.oee.days(machineId, '2026-11-24', '2026-11-25')).to.deep.equal(
          await q.oee.days(machineId, '2026-11-24', '2026-11-25'),
        );
        expect(await p.oee.timeline(machineId, '2026-11-25')).to.deep.equal(
          await q.oee.timeline(machineId, '2026-11-25'),
        );
      }
      expect((await q.oee.timeline('M1', '2026-11-25')).segments.length).to.be.above(2);
    } finally {
      await oee.stop();
      await parted.close();
    }
  });

  it('genealogy: backward from a finished lot and forward from a raw lot, transitively, with each lot’s status', async () => {
    const back = await q.genealogy.backward('FG-2');
    // L-1: 100 kg received, 20 issued to PO-1 (80 left); FG-1: 10 made by PO-1, all issued to PO-5; FG-2: 10 made by PO-5
    expect(back.lots.map((l) => [l['lotId'], l['status'], l['onHand']])).to.deep.equal([
      ['FG-2', 'produced', 10],
      ['FG-1', 'consumed', 0],
      ['L-1', 'received', 80],
    ]);
    expect(back.links).to.deep.equal([
      { from: 'order:PO-5', to: 'lot:FG-2', kind: 'produced', quantity: 10, unit: 'pcs' },
      { from: 'lot:FG-1', to: 'order:PO-5', kind: 'issued', quantity: 10, unit: 'pcs' },
      { from: 'order:PO-1', to: 'lot:FG-1', kind: 'produced', quantity: 10, unit: 'pcs' },
      { from: 'lot:L-1', to: 'order:PO-1', kind: 'issued', quantity: 20, unit: 'kg' },
    ]);
    const forward = await q.genealogy.forward('L-1');
    expect(forward.lots.map((l) => l['lotId'])).to.deep.equal(['L-1', 'FG-1', 'FG-2']);
    expect(forward.links).to.deep.include({
      from: 'lot:FG-1',
      to: 'order:PO-5',
      kind: 'issued',
      quantity: 10,
      unit: 'pcs',
    });
    expect(forward.customers).to.deep.equal([]);
    for (const lot of [...back.lots, ...forward.lots])
      expect(
        Object.keys(lot).filter((key) => key.startsWith('_')),
        'storage fields',
      ).to.deep.equal([]);
  });

  it('labour: hours per operator per day and per order', async () => {
    expect((await q.labour.operatorDays({ operatorId: 'op-1' })).map((d) => [d['day'], d['hours']])).to.deep.equal([
      ['2026-11-25', 7.3],
    ]);
    expect(await q.labour.order('PO-1')).to.deep.equal({ orderId: 'PO-1', hours: 7.3, byOperator: { 'op-1': 7.3 } });
  });

  it('reports each projection live, with no lag and no error', async () => {
    const status = await runtime.status();
    expect(status.map((s) => [s.projection, s.state, s.lagEvents, s.lastError])).to.deep.equal(
      // every read model the backbone builds
      createProjections(TEST_PLANT).map((p) => [p.name, 'live', 0, null]),
    );
  });
});
