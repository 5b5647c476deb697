import { NotFoundError } from '../../src/domain/errors';
import { expect } from 'chai';
import { join } from 'node:path';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import type { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import type { CommandContext } from '../../src/app/commandHandler';
import type { ReadStore } from '../../src/app/readStore';
import { createLogger } from '../../src/lib/logger';
import { startServices, type Services } from '../../src/main/services';
import { createProjections } from '../../src/projections';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import { openPlantStore } from '../support/plantDay';
import { TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const iso = (h: number): string => new Date(T0 + h * HOUR).toISOString();
/** A repeatable wobble of ±5% around a level (no random source: the same run every time). */
const wobble = (h: number): number => 0.05 * Math.sin(h * 2.3) * Math.cos(h * 0.7);

/**
 * A spindle's bearing through the real commands, the health and corrective-requests processes and
 * the health read model: three days learned, then vibration rising, one warning and one corrective
 * request; maintenance re-learns at the new level, and five healthy days after it raise nothing.
 */
describe('equipment health through the services and the read model', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-health-');
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let runtime: ReadModelsRuntime;
  let services: Services;
  let q: ReadModelQueries;
  let now = new Date(T0);
  let n = 0;
  const ctx = (): CommandContext => ({ commandId: `h-${(n += 1)}`, correlationId: `h-${n}`, source: 'device' });
  const hourOf = async (h: number, vibration: number): Promise<void> => {
    now = new Date(T0 + (h + 1) * HOUR);
    await services.commands.handle(
      'machine',
      'M1',
      {
        type: 'RecordTelemetry',
        data: {
          machineId: 'M1',
          intervalStart: iso(h),
          intervalEnd: iso(h + 1),
          signals: [
            {
              signal: 'vibration',
              count: 3600,
              min: vibration * 0.5,
              max: vibration * 1.5,
              mean: vibration * 0.9,
              rms: vibration,
              last: vibration,
            },
            // aggregates some samples could give: RMS at least the mean
            {
              signal: 'temperature',
              count: 3600,
              min: 50,
              max: 52,
              mean: 51 + wobble(h + 5),
              rms: 51.01 + wobble(h + 5),
              last: 51,
            },
          ],
        },
        meta: { now: now.toISOString(), actor: 'device:M1' },
      },
      ctx(),
    );
  };
  const typesIn = async (stream: string): Promise<string[]> => (await store.readStream(stream)).map((e) => e.type);
  const settled = async (): Promise<void> => {
    await services.settle();
    await runtime.idle();
  };

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
          code: 'SPINDLE-1',
          name: 'Spindle 1',
          type: 'mill',
          workCenter: 'WC-MILL',
          ratedPowerKw: 15,
          idealCycleSeconds: [],
        },
        meta: { now: now.toISOString(), actor: 'planner-1' },
      },
      { commandId: 'reg', correlationId: 'reg', source: 'api' },
    );
    q = createReadModelQueries(readStore, TEST_PLANT, () => now);
  });
  after(async () => {
    await services.stop();
    await runtime.stop();
    await readStore.close();
    await store.close();
    temp.remove();
  });

  it('warns once as the bearing vibration rises, and opens one corrective request naming the signal', async () => {
    // three days at 2.0 mm/s ± 5%: the baseline
    for (let h = 0; h < 72; h += 1) await hourOf(h, 2 * (1 + wobble(h)));
    await settled();
    const learned = await q.health.machine('M1');
    expect(learned).to.deep.include({ machineId: 'M1', index: 100, degraded: false });
    expect(learned.signals['vibration']?.phase).to.equal('monitoring');
    // then 16 hours of a bearing wearing: +0.1 mm/s an hour, to 3.6
    for (let h = 72; h < 88; h += 1) await hourOf(h, 2 + 0.1 * (h - 71));
    await settled();
    const health = (await store.readStream('health-M1')).filter((e) => e.type === 'EquipmentHealthDegraded');
    expect(health).to.have.length(1);
    const warning = health[0]?.data as { signal: string; slopePerHour: number; current: number; detectedAt: string };
    expect(warning.signal).to.equal('vibration');
    expect(warning.slopePerHour).to.be.closeTo(0.1, 0.03);
    // warned within hours of the wear starting, well before 3.6 mm/s
    expect(Date.parse(warning.detectedAt)).to.be.below(T0 + 80 * HOUR);
    const opened = (await store.readStream('corrective-M1')).filter((e) => e.type === 'CorrectiveRequestOpened');
    expect(opened.map((e) => e.data)).to.deep.equal([
      { requestId: 'CR1-M1', machineId: 'M1', openedAt: warning.detectedAt, reasonCode: 'health:vibration' },
    ]);
    const read = await q.health.machine('M1');
    expect(read.degraded).to.equal(true);
    expect(read.index).to.be.below(50);
    expect(read.warnings).to.have.length(1);
    const vibration = read.signals['vibration'];
    expect(vibration?.baseline?.mean).to.be.closeTo(2, 0.05);
    expect(vibration?.cusum).to.be.above(8);
  });

  it('re-learns after maintenance: five healthy days at the new level raise no warning', async () => {
    await services.commands.handle(
      'maintenance',
      'PM-BEARING',
      {
        type: 'DefineMaintenancePlan',
        data: {
          planId: 'PM-BEARING',
          machineId: 'M1',
          kind: 'maintenance',
          title: 'Spindle bearing',
          cycle: { unit: 'days', every: 365 },
          startsAt: iso(0),
        },
        meta: { now: now.toISOString(), actor: 'tech-1' },
      },
      { commandId: 'pm-define', correlationId: 'pm', source: 'api' },
    );
    await services.commands.handle(
      'maintenance',
      'PM-BEARING',
      { type: 'PerformMaintenance', data: { planId: 'PM-BEARING' }, meta: { now: iso(90), actor: 'tech-1' } },
      { commandId: 'pm-perform', correlationId: 'pm', source: 'api' },
    );
    await settled();
    expect(await typesIn('health-M1')).to.include('HealthBaselineReset');
    const relearning = await q.health.machine('M1');
    expect(relearning).to.deep.include({ index: 100, degraded: false, relearnReason: 'maintenance' });
    expect(relearning.signals['vibration']?.phase).to.equal('learning');
    // the new bearing runs quieter: 1.2 mm/s ± 5%, five days
    for (let h = 91; h < 91 + 120; h += 1) await hourOf(h, 1.2 * (1 + wobble(h)));
    await settled();
    expect((await typesIn('health-M1')).filter((t) => t === 'EquipmentHealthDegraded')).to.have.length(1);
    const after = await q.health.machine('M1');
    expect(after.degraded).to.equal(false);
    expect(after.index).to.be.at.least(80);
    const vibration = after.signals['vibration'];
    expect(vibration?.phase).to.equal('monitoring');
    expect(vibration?.baseline?.mean).to.be.closeTo(1.2, 0.05);
    expect((await typesIn('corrective-M1')).filter((t) => t === 'CorrectiveRequestOpened')).to.have.length(1);
  });

  it('answers 404 for a machine with no health charts', async () => {
    let refused: unknown;
    await q.health.machine('M-NONE').catch((error: unknown) => (refused = error));
    expect(refused).to.have.property('name', 'NotFoundError');
  });

  it('takes health settings for a registered machine only: an unknown one is refused naming machineId, writing nothing', async () => {
    const configure = (machineId: string) =>
      services.commands.handle(
        'health',
        machineId,
        {
          type: 'ConfigureHealth',
          data: { machineId, periodMinutes: 30, baselinePeriods: 8 },
          meta: { now: now.toISOString(), actor: 'chen.gong' },
        },
        ctx(),
      );
    let refused: unknown;
    await configure('M-NONE').catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(NotFoundError);
    expect(String((refused as Error).message)).to.contain('machineId');
    expect(await store.readStream('health-M-NONE')).to.deep.equal([]);
    await configure('M1');
    expect((await store.readStream('health-M1')).map((e) => e.type)).to.include('HealthSettingsChanged');
  });
});
