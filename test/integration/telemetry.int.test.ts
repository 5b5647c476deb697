import { expect } from 'chai';
import { join } from 'node:path';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createCommandHandler } from '../../src/app/commandHandler';
import type { ReadStore } from '../../src/app/readStore';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { createLogger } from '../../src/lib/logger';
import { telemetryProjection } from '../../src/projections/models/telemetry';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import { registerMachines } from '../support/fixtures';
import { TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-25T00:00:00Z');
/** Ten days of one-hour intervals: vibration rising by 0.01 an hour, two samples an interval. */
const HOURS = 240;
const vibration = (h: number): number => 1 + 0.01 * h;

describe('telemetry read model (intervals, hours, days, retention)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-telemetry-');
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let runtime: ReadModelsRuntime;
  let q: ReadModelQueries;

  before(async () => {
    store = createSqliteEventStore({
      path: join(temp.dir, 'events.db'),
      codec: createEventCodec(loadSchemaRegistry(), upcasters),
    });
    const commands = createCommandHandler({ store });
    await registerMachines(commands, ['M1']);
    for (let h = 0; h < HOURS; h += 1) {
      const start = new Date(T0 + h * HOUR).toISOString();
      const end = new Date(T0 + (h + 1) * HOUR).toISOString();
      const v = vibration(h);
      // two samples, v − 0.1 and v + 0.1: mean v, RMS √(v² + 0.01)
      await commands.handle(
        'machine',
        'M1',
        {
          type: 'RecordTelemetry',
          data: {
            machineId: 'M1',
            intervalStart: start,
            intervalEnd: end,
            signals: [
              {
                signal: 'vibration',
                count: 2,
                min: v - 0.1,
                max: v + 0.1,
                mean: v,
                rms: Math.sqrt(v * v + 0.01),
                last: v + 0.1,
              },
            ],
          },
          meta: { now: end, actor: 'device:M1' },
        },
        { commandId: `t-${h}`, correlationId: `t-${h}`, source: 'device' },
      );
    }
    readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
    // two days at the interval, five days per hour
    runtime = await startReadModels({ store, readStore, logger: createLogger('error') }, [
      telemetryProjection(TEST_PLANT.timeZone, { intervalHours: 48, hourlyHours: 5 * 24 }),
    ]);
    await runtime.idle();
    q = createReadModelQueries(readStore, TEST_PLANT);
  });
  after(async () => {
    await runtime?.stop();
    await readStore?.close();
    await store?.close();
    temp.remove();
  });

  const iso = (h: number): string => new Date(T0 + h * HOUR).toISOString();

  it('answers the recorded intervals of the retention, none older', async () => {
    const recent = await q.telemetry.points('M1', 'vibration', 'interval', iso(HOURS - 24), iso(HOURS));
    expect(recent.map((p) => p.start)).to.deep.equal(Array.from({ length: 24 }, (_, i) => iso(HOURS - 24 + i)));
    expect(recent[0]).to.deep.include({ count: 2, mean: vibration(HOURS - 24) });
    // 48 hours kept behind the newest interval (whole hours of documents): day 1 is gone
    expect(await q.telemetry.points('M1', 'vibration', 'interval', iso(0), iso(24))).to.deep.equal([]);
    expect(await q.telemetry.signals('M1')).to.deep.equal([
      { signal: 'vibration', firstInterval: iso(0), lastInterval: iso(HOURS - 1), last: vibration(HOURS - 1) + 0.1 },
    ]);
  });

  it('rolls intervals up per hour and per local day with exact mean and RMS, and keeps days after hours are dropped', async () => {
    const hours = await q.telemetry.points('M1', 'vibration', 'hour', iso(HOURS - 48), iso(HOURS));
    expect(hours).to.have.length(48);
    expect(hours[10]).to.deep.include({ start: iso(HOURS - 38), count: 2, mean: vibration(HOURS - 38) });
    expect(await q.telemetry.points('M1', 'vibration', 'hour', iso(0), iso(24))).to.deep.equal([]);
    // local days (Asia/Shanghai): 2026-11-26 runs from 16:00Z on the 25th, hours 16 to 39
    const days = await q.telemetry.points('M1', 'vibration', 'day', iso(0), iso(HOURS));
    const day = days.find((d) => d.start === '2026-11-26');
    const values = Array.from({ length: 24 }, (_, i) => vibration(16 + i));
    const mean = values.reduce((s, v) => s + v, 0) / 24;
    const rms = Math.sqrt(values.reduce((s, v) => s + v * v + 0.01, 0) / 24);
    expect(day).to.deep.include({ count: 48, min: vibration(16) - 0.1, max: vibration(39) + 0.1 });
    expect(day?.mean).to.be.closeTo(mean, 1e-6);
    expect(day?.rms).to.be.closeTo(rms, 1e-6);
    expect(days[0]?.start, 'the first local day, though its hours are gone').to.equal('2026-11-25');
  });
});
