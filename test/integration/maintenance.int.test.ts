import { expect } from 'chai';
import { join } from 'node:path';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import type { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import type { CommandContext } from '../../src/app/commandHandler';
import type { ReadStore } from '../../src/app/readStore';
import type { MachineStatus } from '../../src/domain/machine';
import { MachineNotRegisteredError, type DefineMaintenancePlan } from '../../src/domain/maintenance';
import { createLogger } from '../../src/lib/logger';
import { startServices, type Services } from '../../src/main/services';
import { createProjections } from '../../src/projections';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import { openPlantStore } from '../support/plantDay';
import { TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';

/**
 * A press's day, through the real commands, the corrective-requests process and the maintenance read
 * model. Times are UTC on 2026-11-25; the figures are worked out in the comments beside the steps.
 */
describe('maintenance through the services and the read model', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-maint-');
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let runtime: ReadModelsRuntime;
  let services: Services;
  let q: ReadModelQueries;
  let now = new Date('2026-11-25T00:00:00.000Z');
  let n = 0;
  const ctx = (): CommandContext => ({ commandId: `m-${(n += 1)}`, correlationId: `m-${n}`, source: 'api' });
  const meta = () => ({ now: now.toISOString(), actor: 'tech-1' });
  const at = (iso: string) => (now = new Date(iso));
  // each change and count is sent when it happens: the command's time is the machine's
  const state = (to: MachineStatus, iso: string, reasonCode?: string) =>
    services.commands.handle(
      'machine',
      'M1',
      {
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: to, at: iso, ...(reasonCode ? { reasonCode } : {}) },
        meta: { now: at(iso).toISOString(), actor: 'device' },
      },
      ctx(),
    );
  const count = (total: number, from: string, to: string) =>
    services.commands.handle(
      'machine',
      'M1',
      {
        type: 'RecordCount',
        data: { machineId: 'M1', intervalStart: from, intervalEnd: to, total },
        meta: { now: at(to).toISOString(), actor: 'device' },
      },
      ctx(),
    );
  const define = (planId: string, data: Partial<DefineMaintenancePlan['data']>) =>
    services.commands.handle(
      'maintenance',
      planId,
      {
        type: 'DefineMaintenancePlan',
        data: {
          planId,
          machineId: 'M1',
          kind: 'maintenance',
          title: planId,
          cycle: { unit: 'days', every: 1 },
          ...data,
        },
        meta: meta(),
      },
      ctx(),
    );

  before(async () => {
    store = openPlantStore(temp.dir);
    readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
    runtime = await startReadModels({ store, readStore, logger: createLogger('error') }, createProjections(TEST_PLANT));
    services = await startServices({
      store,
      checkpoints: createSqliteCheckpointStore(join(temp.dir, 'checkpoints.db')),
      logger: createLogger('error'),
      cardKey: Buffer.alloc(32, 1),
      clock: () => now,
      overdueIntervalMs: 0,
    });
    await services.commands.handle(
      'machine',
      'M1',
      {
        type: 'RegisterMachine',
        data: {
          machineId: 'M1',
          code: 'PRESS-1',
          name: 'Press 1',
          type: 'press',
          workCenter: 'WC-PRESS',
          ratedPowerKw: 30,
          idealCycleSeconds: [],
        },
        meta: meta(),
      },
      ctx(),
    );
    // a daily lubrication plan, performed in the 15:00-15:20 maintenance booking
    await define('P-LUBE', { startsAt: '2026-11-25T00:00:00.000Z' });
    await state('running', '2026-11-25T00:00:00.000Z');
    await count(480, '2026-11-25T00:00:00.000Z', '2026-11-25T04:00:00.000Z');
    await state('down', '2026-11-25T04:00:00.000Z', 'SPINDLE'); // running 4 h; request 1 opens
    await state('maintenance', '2026-11-25T04:15:00.000Z'); // the repair, booked as maintenance
    await state('running', '2026-11-25T05:00:00.000Z'); // request 1 closes: 1 h of repair
    await count(600, '2026-11-25T05:00:00.000Z', '2026-11-25T10:00:00.000Z');
    await state('down', '2026-11-25T10:00:00.000Z', 'BELT'); // running 5 h; request 2 opens
    await state('idle', '2026-11-25T10:30:00.000Z'); // request 2 closes: 0.5 h of repair
    await state('running', '2026-11-25T11:00:00.000Z');
    await state('maintenance', '2026-11-25T14:00:00.000Z'); // running 3 h; no plan, no breakdown
    await state('running', '2026-11-25T14:30:00.000Z');
    await state('maintenance', '2026-11-25T15:00:00.000Z'); // running 0.5 h
    at('2026-11-25T15:10:00.000Z');
    await services.commands.handle(
      'maintenance',
      'P-LUBE',
      { type: 'PerformMaintenance', data: { planId: 'P-LUBE' }, meta: meta() },
      ctx(),
    );
    await state('idle', '2026-11-25T15:20:00.000Z');
    at('2026-11-25T16:00:00.000Z');
    // running 4 + 5 + 3 + 0.5 = 12.5 h, 480 + 600 = 1,080 strokes: plans start from these readings
    await define('P-HOURS', { cycle: { unit: 'runningHours', every: 10 } });
    await define('P-STROKES', { cycle: { unit: 'counts', every: 1000, counter: 'strokes' } });
    await define('P-TUV', { kind: 'inspection', cycle: { unit: 'fixedDates', dates: ['2026-11-27T00:00:00.000Z'] } });
    await services.settle();
    await runtime.idle();
    q = createReadModelQueries(readStore, TEST_PLANT, () => now, { maintenanceDueSoonHours: 24 });
  });
  after(async () => {
    await services.stop();
    await runtime.stop();
    await readStore.close();
    await store.close();
    temp.remove();
  });

  it('refuses a plan for a machine that is not registered, naming machineId', async () => {
    let refusal: unknown;
    try {
      await services.commands.handle(
        'maintenance',
        'P-GHOST',
        {
          type: 'DefineMaintenancePlan',
          data: {
            planId: 'P-GHOST',
            machineId: 'M9',
            kind: 'maintenance',
            title: 't',
            cycle: { unit: 'days', every: 1 },
          },
          meta: meta(),
        },
        ctx(),
      );
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(MachineNotRegisteredError);
    expect(refusal).to.deep.include({
      status: 404,
      rule: 'machine-unknown',
      params: { field: 'machineId', machineId: 'M9' },
    });
  });

  it('starts running-hour and counter plans from the machine’s readings, none overdue at once', async () => {
    const plans = new Map((await q.maintenance.plans('M1')).map((p) => [p['planId'], p]));
    expect(plans.get('P-HOURS')).to.deep.include({ due: { dueRunningHours: 22.5 }, startRunningHours: 12.5 });
    expect(plans.get('P-STROKES')).to.deep.include({ due: { dueCount: 2080 }, startCount: 1080 });
    expect(plans.get('P-TUV')).to.deep.include({ due: { dueAt: '2026-11-27T00:00:00.000Z' } });
    // P-LUBE performed 15:10: next due 2026-11-26T15:10
    expect(plans.get('P-LUBE')).to.deep.include({ due: { dueAt: '2026-11-26T15:10:00.000Z' } });
    expect(await services.overdue.check(now.toISOString())).to.equal(0);
  });

  it('lists plans coming due within the horizon, the configured one by default', async () => {
    // at 16:00: P-HOURS 10 running hours left; P-STROKES 1,000 strokes at 1,080 / 12.5 h = 86.4 an hour
    // = 11.574 h; P-LUBE 23 h 10 min = 23.1667 h; P-TUV 32 h
    const hoursOf = (answer: Awaited<ReturnType<ReadModelQueries['maintenance']['dueSoon']>>) =>
      answer.plans.map((p) => [p['planId'], Number(p.hoursToDue?.toFixed(4))]);
    const byDefault = await q.maintenance.dueSoon();
    expect(byDefault.horizonHours).to.equal(24);
    expect(hoursOf(byDefault)).to.deep.equal([
      ['P-HOURS', 10],
      ['P-STROKES', 11.5741],
      ['P-LUBE', 23.1667],
    ]);
    expect(hoursOf(await q.maintenance.dueSoon(8))).to.deep.equal([]);
    expect(hoursOf(await q.maintenance.dueSoon(48)).map(([id]) => id)).to.deep.equal([
      'P-HOURS',
      'P-STROKES',
      'P-LUBE',
      'P-TUV',
    ]);
  });

  it('keeps a corrective request per breakdown, closed by the repair, with MTBF and MTTR from them', async () => {
    const requests = await q.maintenance.requests({ machineId: 'M1' });
    expect(
      requests.map((r) => [r['requestId'], r['status'], r['openedAt'], r['closedAt'], r['repairSeconds']]),
    ).to.deep.equal([
      ['CR2-M1', 'closed', '2026-11-25T10:00:00.000Z', '2026-11-25T10:30:00.000Z', 1800],
      ['CR1-M1', 'closed', '2026-11-25T04:00:00.000Z', '2026-11-25T05:00:00.000Z', 3600],
    ]);
    // MTBF = 12.5 running h / 2 breakdowns = 6.25 h; MTTR = (1 + 0.5) h / 2 repairs = 0.75 h
    const reliability = await q.maintenance.reliability('M1');
    expect(reliability).to.deep.include({
      failures: 2,
      repairs: 2,
      runningHours: 12.5,
      repairHours: 1.5,
      mtbfHours: 6.25,
      mttrHours: 0.75,
      openRequest: null,
    });
  });

  it('flags maintenance booked with neither plan work nor a breakdown', async () => {
    // 04:15-05:00 inside breakdown 1: corrective; 14:00-14:30: nothing: flagged; 15:00-15:20: P-LUBE at 15:10
    const { maintenanceBookings } = await q.maintenance.reliability('M1');
    expect(maintenanceBookings).to.deep.equal({
      bookings: 3,
      planned: 1,
      corrective: 1,
      unplanned: [{ from: '2026-11-25T14:00:00.000Z', to: '2026-11-25T14:30:00.000Z', hours: 0.5, kind: 'unplanned' }],
      unplannedHours: 0.5,
    });
  });
});
