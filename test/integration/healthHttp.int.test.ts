import { expect } from 'chai';
import { startMasterPlant, type MasterPlant } from '../support/masterPlant';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const iso = (h: number): string => new Date(T0 + h * HOUR).toISOString();

/** GET /api/machines/:machineId/health against a backbone in this process: roles, answer and refusals. */
describe('equipment health over HTTP', function () {
  this.timeout(120_000);
  let plant: MasterPlant;
  let n = 0;
  const hourOf = async (h: number, vibration: number): Promise<void> => {
    plant.at(iso(h + 1));
    await plant.backbone.services.commands.handle(
      'machine',
      'M7',
      {
        type: 'RecordTelemetry',
        data: {
          machineId: 'M7',
          intervalStart: iso(h),
          intervalEnd: iso(h + 1),
          signals: [
            { signal: 'vibration', count: 3600, min: 0, max: 2 * vibration, mean: vibration, rms: vibration, last: 1 },
          ],
        },
        meta: { now: iso(h + 1), actor: 'device:M7' },
      },
      { commandId: `hh-${(n += 1)}`, correlationId: `hh-${n}`, source: 'device' },
    );
  };

  before(async () => {
    plant = await startMasterPlant(iso(0));
    await plant.backbone.services.commands.handle(
      'machine',
      'M7',
      {
        type: 'RegisterMachine',
        data: {
          machineId: 'M7',
          code: 'MILL-7',
          name: 'Mill 7',
          type: 'mill',
          workCenter: 'WC-MILL',
          ratedPowerKw: 11,
          idealCycleSeconds: [],
        },
        meta: { now: iso(0), actor: 'planner-1' },
      },
      { commandId: 'reg-M7', correlationId: 'reg-M7', source: 'api' },
    );
    // three days learned at 1.0 ± 0.04, then a day of a wearing bearing, +0.05 an hour
    for (let h = 0; h < 72; h += 1) await hourOf(h, 1 + (h % 3 === 0 ? 0.04 : h % 3 === 1 ? -0.04 : 0));
    for (let h = 72; h < 96; h += 1) await hourOf(h, 1 + 0.05 * (h - 71));
    await plant.backbone.services.settle();
    await plant.backbone.readModels.idle();
  });
  after(async () => {
    await plant?.stop();
  });

  it('answers maintenance, analysts and planners: the index, the signal past its limit, one warning', async () => {
    for (const as of ['maintenance', 'analyst', 'planner'] as const) {
      const response = await plant.api.call('GET', '/api/machines/M7/health', { as });
      expect(response.status, as).to.equal(200);
      const body = response.body as {
        machineId: string;
        index: number;
        degraded: boolean;
        signals: Record<string, { phase: string; cusum: number; baseline: { mean: number } }>;
        warnings: Array<{ signal: string; slopePerHour: number }>;
        limits: { degradedBelow: number; cusum: number };
      };
      expect(body).to.deep.include({ machineId: 'M7', degraded: true });
      expect(body.index).to.be.below(body.limits.degradedBelow);
      expect(body.signals['vibration']?.phase).to.equal('monitoring');
      expect(body.signals['vibration']?.cusum).to.be.above(body.limits.cusum);
      expect(body.signals['vibration']?.baseline.mean).to.be.closeTo(1, 0.01);
      expect(body.warnings.map((w) => w.signal)).to.deep.equal(['vibration']);
      expect(body.warnings[0]?.slopePerHour).to.be.closeTo(0.05, 0.01);
    }
  });

  it('refuses an operator (403) and names a machine with no health charts (404), as problem+json', async () => {
    const operator = await plant.api.call('GET', '/api/machines/M7/health', { as: 'operator' });
    expect(operator.status).to.equal(403);
    const unknown = await plant.api.call('GET', '/api/machines/NOPE/health', { as: 'maintenance' });
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(JSON.stringify(unknown.body)).to.contain('NOPE');
  });
});
