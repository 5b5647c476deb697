import { expect } from 'chai';
import { addTurningCell, ok, startMasterPlant, type MasterPlant } from '../support/masterPlant';

type Figures = Record<string, unknown> & { losses: Record<string, number>; oee: number };

// Asia/Shanghai (the default PLANT_TIME_ZONE): 08:00 local is 00:00Z
describe('OEE over HTTP against a site calendar set through the API', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  before(async () => {
    plant = await startMasterPlant('2026-11-24T12:00:00Z');
    await addTurningCell(plant.api);
  });
  after(async () => plant.stop());

  it('sets a versioned site calendar for planners only, refusing an inconsistent one by field', async () => {
    const { api } = plant;
    const calendar = {
      shifts: [{ name: 'D', start: '08:00', end: '16:00', breaks: [{ start: '12:00', end: '12:30' }] }],
    };
    const body = { effectiveFrom: '2026-11-01', calendar };
    expect((await api.call('PUT', '/api/calendars/sites/QJ', { as: 'operator', body })).status).to.equal(403);
    const bad = await api.call('PUT', '/api/calendars/sites/QJ', {
      as: 'planner',
      body: {
        effectiveFrom: '2026-11-01',
        calendar: { shifts: [{ name: 'D', start: '08:00', end: '16:00', breaks: [{ start: '17:00', end: '17:30' }] }] },
      },
    });
    expect(bad.status).to.equal(400);
    expect((bad.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).to.deep.equal([
      '/calendar/shifts/0/breaks/0',
    ]);
    expect((await api.call('PUT', '/api/calendars/planets/QJ', { as: 'planner', body })).status).to.equal(400);
    await ok(api.call('PUT', '/api/calendars/sites/QJ', { as: 'planner', body }));
    await plant.backbone.readModels.idle();
    const versions = (await api.get('/api/calendars', 'analyst')).body as Array<Record<string, unknown>>;
    expect(versions).to.deep.equal([{ scope: 'site', id: 'QJ', version: 1, effectiveFrom: '2026-11-01', calendar }]);
  });

  it("measures a shift against it: the lunch break is not planned; the default day is the plant's local one", async () => {
    const { api } = plant;
    const state = (state: string, at: string, reasonCode?: string) =>
      ok(api.post('/api/machines/M1/state', { state, at, ...(reasonCode ? { reasonCode } : {}) }, 'maintenance'));
    const count = (from: string, to: string, total: number, good: number) =>
      ok(
        api.post(
          '/api/machines/M1/counts',
          { intervalStart: from, intervalEnd: to, total, good, product: 'SHAFT' },
          'integrator',
        ),
      );
    plant.at('2026-11-25T00:00:00Z');
    await state('running', '2026-11-25T00:00:00Z');
    plant.at('2026-11-25T04:00:00Z');
    await count('2026-11-25T00:00:00Z', '2026-11-25T04:00:00Z', 240, 240);
    await state('idle', '2026-11-25T04:00:00Z'); // lunch, 12:00-12:30 local
    plant.at('2026-11-25T04:30:00Z');
    await state('running', '2026-11-25T04:30:00Z');
    plant.at('2026-11-25T08:00:00Z');
    await count('2026-11-25T04:30:00Z', '2026-11-25T08:00:00Z', 210, 205);
    await state('idle', '2026-11-25T08:00:00Z', 'no-demand');
    plant.at('2026-11-25T17:00:00Z'); // 01:00 on the 26th, local
    await plant.backbone.readModels.idle();
    const shifts = (await api.get('/api/oee/M1/shifts?from=2026-11-25&to=2026-11-25', 'analyst')).body as Figures[];
    expect(shifts.map((s) => [s['date'], s['shift']])).to.deep.equal([['2026-11-25', 'D']]);
    const [d] = shifts;
    // calendar 28800; lunch 1800 non-working; planned busy 27000 = run 27000 (A = 1);
    // 450 units x 60 s = 27000 (P = 1); 445 good: OEE = 445 x 60 / 27000 = 26700 / 27000
    expect(d).to.deep.include({
      calendarSeconds: 28800,
      plannedBusySeconds: 27000,
      runSeconds: 27000,
      total: 450,
      good: 445,
    });
    expect(d?.losses).to.deep.include({
      nonWorkingSeconds: 1800,
      productionRejectSeconds: 300,
      fullyProductiveSeconds: 26700,
    });
    expect(d?.oee).to.be.closeTo(26700 / 27000, 1e-12);
    // no `to`: the plant's local today is the 26th (the UTC day is still the 25th)
    const days = (await api.get('/api/oee/M1/days', 'analyst')).body as Figures[];
    expect(days.map((x) => x['date'])).to.deep.equal(['2026-11-24', '2026-11-25', '2026-11-26']);
    const [site] = (await api.get('/api/oee/rollups/sites/QJ/range?from=2026-11-25&to=2026-11-25', 'analyst'))
      .body as Figures[];
    expect(site?.oee).to.be.closeTo(26700 / 27000, 1e-12);
    expect((await api.get('/api/oee/M1/fortnights', 'analyst')).status).to.equal(400);
  });
});
