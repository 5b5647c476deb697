import { expect } from 'chai';
import { addTurningCell, ok, startMasterPlant, type MasterPlant } from '../support/masterPlant';

type Figures = Record<string, unknown> & { total: number; good: number; oee: number };

// Asia/Shanghai (the default PLANT_TIME_ZONE): 08:00 local is 00:00Z
describe('kept answers: refreshed when a new event changes them, following the clock where they depend on it', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  before(async () => {
    plant = await startMasterPlant('2026-11-25T00:00:00Z');
    const { api } = plant;
    await addTurningCell(api);
    await ok(api.post('/api/machines/M1/state', { state: 'running', at: '2026-11-25T00:00:00Z' }, 'maintenance'));
  });
  after(async () => plant.stop());

  const count = (from: string, to: string, total: number, good: number) =>
    ok(
      plant.api.post(
        '/api/machines/M1/counts',
        { intervalStart: from, intervalEnd: to, total, good, product: 'SHAFT' },
        'integrator',
      ),
    );
  const day = async (path: string): Promise<Figures> => {
    const [figures] = (await plant.api.get(path, 'analyst')).body as Figures[];
    return figures as Figures;
  };

  it('answers a past day the same when nothing changed, and the new figures once a late count is applied', async () => {
    const { api } = plant;
    plant.at('2026-11-25T04:00:00Z');
    await count('2026-11-25T00:00:00Z', '2026-11-25T04:00:00Z', 240, 230);
    // 01:00 on the 26th, local: the 25th is past, its figures no longer depend on the clock
    plant.at('2026-11-25T17:00:00Z');
    await plant.backbone.readModels.idle();
    const path = '/api/oee/M1/days?from=2026-11-25&to=2026-11-25';
    const rollup = '/api/oee/rollups/sites/QJ/days?from=2026-11-25&to=2026-11-25';
    const first = await day(path);
    expect(first).to.deep.include({ date: '2026-11-25', total: 240, good: 230 });
    expect(await day(path)).to.deep.equal(first);
    expect(await day(rollup)).to.deep.include({ total: 240, good: 230 });
    // a device's count of that day arrives late (its gateway was offline)
    await count('2026-11-25T04:00:00Z', '2026-11-25T08:00:00Z', 200, 200);
    await plant.backbone.readModels.idle();
    const after = await day(path);
    expect(after).to.deep.include({ date: '2026-11-25', total: 440, good: 430 });
    expect(after.oee).to.not.equal(first.oee);
    expect(await day(rollup)).to.deep.include({ total: 440, good: 430 });
    // the machine is stopped late in the evening: the day's availability changes with it
    await ok(api.post('/api/machines/M1/state', { state: 'idle', at: '2026-11-25T12:00:00Z' }, 'maintenance'));
    await plant.backbone.readModels.idle();
    const stopped = await day(path);
    expect(stopped['runSeconds']).to.be.below(after['runSeconds'] as number);
  });

  it('figures of today follow the clock: the state a machine is in lasts up to now', async () => {
    const path = '/api/oee/M1/days?from=2026-11-26&to=2026-11-26';
    await ok(plant.api.post('/api/machines/M1/state', { state: 'running', at: '2026-11-25T17:00:00Z' }, 'maintenance'));
    await plant.backbone.readModels.idle();
    plant.at('2026-11-25T18:00:00Z');
    const early = await day(path);
    plant.at('2026-11-25T19:00:00Z');
    const later = await day(path);
    expect((later['runSeconds'] as number) - (early['runSeconds'] as number)).to.equal(3600);
  });

  it('a kept page of orders shows a new order once applied, and lateness as of the clock', async () => {
    const { api } = plant;
    type Page = { items: Array<{ orderId: string; late: boolean }> };
    const page = async () => ((await api.get('/api/wip/orders?limit=20', 'analyst')).body as Page).items;
    expect(await page()).to.deep.equal([]);
    plant.at('2026-11-26T00:00:00Z');
    await ok(
      api.post('/api/orders', {
        orderId: 'SO-1',
        product: 'SHAFT',
        quantity: 10,
        unit: 'pcs',
        customer: 'ACME',
        priority: 3,
        dueDate: '2026-11-26T06:00:00Z',
        routing: {
          overlap: false,
          operations: [
            {
              operationId: '010',
              code: 'TURN',
              workCenter: 'WC-A',
              standardMinutesPerUnit: 1,
              setupMinutes: 5,
              inspectionRequired: false,
              materials: [],
            },
          ],
        },
      }),
    );
    await plant.backbone.readModels.idle();
    expect((await page()).map((o) => [o.orderId, o.late])).to.deep.equal([['SO-1', false]]);
    // nothing new is recorded: the page is as kept, its lateness as of now
    plant.at('2026-11-26T07:00:00Z');
    expect((await page()).map((o) => [o.orderId, o.late])).to.deep.equal([['SO-1', true]]);
    // the same page asked again at once: its lateness as kept (the same answer), then a clock set back
    expect((await page()).map((o) => [o.orderId, o.late])).to.deep.equal([['SO-1', true]]);
    plant.at('2026-11-26T05:59:59Z');
    expect((await page()).map((o) => [o.orderId, o.late])).to.deep.equal([['SO-1', false]]);
    // its due time itself is not late yet; a second after it is
    plant.at('2026-11-26T06:00:00Z');
    expect((await page()).map((o) => [o.orderId, o.late])).to.deep.equal([['SO-1', false]]);
    plant.at('2026-11-26T06:00:01Z');
    expect((await page()).map((o) => [o.orderId, o.late])).to.deep.equal([['SO-1', true]]);
  });
});
