import { expect } from 'chai';
import { join } from 'node:path';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../../src/lib/logger';
import { DEFAULT_EMISSION_FACTOR } from '../../src/app/plant';
import type { ReadStore } from '../../src/app/readStore';
import { createProjections } from '../../src/projections';
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
    const [product] = await q.quality.yields('product');
    expect(product).to.deep.include({
      key: 'SHAFT',
      good: 10,
      scrap: 2,
      rework: 1,
      firstPassYield: 10 / 13,
      finalYield: 10 / 12,
    });
    expect((await q.quality.yields('workCenter')).map((y) => y.key)).to.deep.equal(['WC-TURN']);
    expect((await q.quality.yields('day')).map((y) => y.key)).to.deep.equal(['2026-11-25']);
    expect((await q.quality.yields('operation')).map((y) => y.key)).to.deep.equal(['SHAFT/010']);
    expect(await q.quality.pareto()).to.deep.equal([
      { kind: 'scrap', reason: 'BURR', units: 2, occurrences: 1, cumulativeShare: 2 / 3 },
      { kind: 'inspection', reason: 'diameter', units: 1, occurrences: 1, cumulativeShare: 1 },
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

  it('carbon: kWh and kg CO2e per order, per unit, per machine (with overhead) and per day', async () => {
    const factor = DEFAULT_EMISSION_FACTOR.kgCo2ePerKWh; // 0.5306
    const order = await q.carbon.order('PO-1');
    expect(order.kWh).to.be.closeTo(52, 1e-9);
    expect(order.kgCo2e).to.be.closeTo(52 * factor, 1e-9); // 27.5912
    expect(order.kgCo2ePerUnit).to.be.closeTo(2.75912, 1e-9);
    const machine = await q.carbon.machine('M1');
    expect(machine.kWh).to.be.closeTo(55.6, 1e-9);
    expect(machine.overheadKWh).to.be.closeTo(3.6, 1e-9);
    const product = await q.carbon.product('SHAFT');
    expect(product.kWhPerUnit).to.be.closeTo(5.2, 1e-9);
    const day = await q.carbon.day('2026-11-25');
    expect(day.kgCo2e).to.be.closeTo(29.50136, 1e-9);
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
    expect((await regional.carbon.order('PO-1')).kgCo2e).to.be.closeTo(31.2, 1e-9);
  });

  it('OEE: M1 in shift A is 0.85 x 0.8 x 0.9375 = 0.6375, with its losses; the day is 0.2125', async () => {
    const [shiftA] = (await q.oee.shifts('M1', '2026-11-25', '2026-11-25')).filter((s) => s.shift === 'A');
    expect(shiftA).to.deep.include({ availability: 0.85, performance: 0.8, quality: 0.9375 });
    expect(shiftA?.oee).to.be.closeTo(0.6375, 1e-12);
    expect(shiftA?.losses).to.deep.equal({
      breakdownSeconds: 1800,
      setupSeconds: 1800,
      idleAndMinorStopSeconds: 720,
      reducedSpeedSeconds: 4896,
      defectUnits: 34,
      plannedMaintenanceSeconds: 0,
    });
    const [day] = await q.oee.days('M1', '2026-11-25', '2026-11-25');
    expect(day?.oee).to.be.closeTo(0.2125, 1e-12); // 24480 / 86400 x 0.8 x 0.9375
  });

  it('genealogy: backward from a finished lot and forward from a raw lot, transitively', async () => {
    const back = await q.genealogy.backward('FG-2');
    expect(back.lots.map((l) => l['lotId'])).to.deep.equal(['FG-2', 'FG-1', 'L-1']);
    const forward = await q.genealogy.forward('L-1');
    expect(forward.lots.map((l) => l['lotId'])).to.deep.equal(['L-1', 'FG-1', 'FG-2']);
    expect(forward.links).to.deep.include({ from: 'lot:FG-1', to: 'order:PO-3', kind: 'issued' });
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
      ['wip', 'quality', 'maintenance', 'carbon', 'oee', 'genealogy', 'labour', 'masterData'].map((p) => [
        p,
        'live',
        0,
        null,
      ]),
    );
  });
});
