import { expect } from 'chai';
import type { As } from '../support/apiClient';
import { ok, startMasterPlant, type MasterPlant } from '../support/masterPlant';

type Answer = Record<string, unknown> & {
  at: string;
  today: string;
  oee: Record<string, unknown> | null;
  machines: { count: number; byState: Record<string, number>; stopped: Array<{ machineId: string; state: string }> };
  energy: Record<string, number | string | null>;
  yields: Record<string, unknown>;
  quality: { openLoops: number };
  maintenance: { overdue: number; dueSoon: number };
  delivery: Record<string, number | null>;
  output: Record<string, number | string>;
};
type Problem = { type: string; errors: Array<{ path: string }> };

// Asia/Shanghai (the default PLANT_TIME_ZONE): 08:00 local is 00:00Z
describe('The dashboard in one answer (GET /api/dashboard)', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  before(async () => {
    plant = await startMasterPlant('2026-11-24T12:00:00Z');
    const { api } = plant;
    await ok(api.post('/api/master/sites', { code: 'QJ', names: { 'zh-CN': '綦江工厂', en: 'Qijiang plant' } }));
    await ok(api.post('/api/master/lines', { code: 'L1', names: { 'zh-CN': '一线', en: 'Line 1' }, site: 'QJ' }));
    for (const [code, line] of [
      ['WC-A', 'L1'],
      ['WC-B', undefined],
    ] as const)
      await ok(
        api.post('/api/master/work-centers', {
          code,
          names: { 'zh-CN': code, en: code },
          site: 'QJ',
          ...(line ? { line } : {}),
          machines: [],
        }),
      );
    for (const [machineId, workCenter] of [
      ['M1', 'WC-A'],
      ['M2', 'WC-A'],
      ['M3', 'WC-B'],
    ] as const)
      await ok(
        api.post(
          '/api/machines',
          {
            machineId,
            code: machineId,
            name: machineId,
            type: 'lathe',
            workCenter,
            ratedPowerKw: 10,
            idealCycleSeconds: [{ product: 'SHAFT', seconds: 60 }],
          },
          'maintenance',
        ),
      );
    const state = (machineId: string, state: string, at: string, reasonCode?: string) =>
      ok(
        api.post(
          `/api/machines/${machineId}/state`,
          { state, at, ...(reasonCode ? { reasonCode } : {}) },
          'maintenance',
        ),
      );
    plant.at('2026-11-25T00:00:00Z');
    for (const m of ['M1', 'M2', 'M3']) await state(m, 'running', '2026-11-25T00:00:00Z');
    plant.at('2026-11-25T02:00:00Z');
    await ok(
      api.post(
        '/api/machines/M1/counts',
        {
          intervalStart: '2026-11-25T00:00:00Z',
          intervalEnd: '2026-11-25T02:00:00Z',
          total: 100,
          good: 97,
          product: 'SHAFT',
        },
        'integrator',
      ),
    );
    await state('M2', 'down', '2026-11-25T02:00:00Z', 'breakdown');
    plant.at('2026-11-25T02:30:00Z');
    await state('M3', 'idle', '2026-11-25T02:30:00Z');
    plant.at('2026-11-25T03:00:00Z');
    await plant.backbone.readModels.idle();
  });
  after(async () => plant.stop());

  const dashboard = async (query: string, as: As = 'analyst') => {
    const response = await plant.api.get(`/api/dashboard${query}`, as);
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return response.body as Answer;
  };

  it('refuses a bad scope or period with a problem naming the field, and callers outside the office', async () => {
    for (const [query, path] of [
      ['?scope=galaxy', '/query/scope'],
      ['?scope=line:', '/query/scope'],
      ['?period=month', '/query/period'],
      ['?colour=red', '/query/colour'],
    ] as const) {
      const response = await plant.api.get(`/api/dashboard${query}`, 'analyst');
      expect(response.status, query).to.equal(400);
      expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(
        (response.body as Problem).errors.map((e) => e.path),
        query,
      ).to.include(path);
    }
    expect((await plant.api.get('/api/dashboard', 'operator')).status).to.equal(403);
    expect((await plant.api.get('/api/dashboard?scope=machine:NOPE', 'analyst')).status).to.equal(404);
    for (const role of ['planner', 'quality', 'maintenance', 'auditor'] as const) await dashboard('', role);
  });

  it("answers the plant's, a line's and a machine's OEE equal to the OEE routes' for the same day and instant", async () => {
    const { api } = plant;
    const plantDay = await dashboard('?scope=plant&period=day');
    expect(plantDay.today).to.equal('2026-11-25');
    expect(plantDay.at).to.equal('2026-11-25T03:00:00.000Z');
    const day = '?from=2026-11-25&to=2026-11-25';
    const [rollup] = (await api.get(`/api/oee/rollups/plant/days${day}`, 'analyst')).body as unknown[];
    expect(plantDay.oee).to.deep.equal(rollup);
    const [line] = (await api.get(`/api/oee/rollups/lines/L1/days${day}`, 'analyst')).body as unknown[];
    const lineDay = await dashboard('?scope=line:L1&period=day');
    expect(lineDay.oee).to.deep.equal(line);
    expect(lineDay.oee?.['machines']).to.deep.equal(['M1', 'M2']);
    const [machine] = (await api.get(`/api/oee/M1/days${day}`, 'analyst')).body as unknown[];
    const machineDay = await dashboard('?scope=machine:M1&period=day');
    expect(machineDay.oee).to.deep.equal(machine);
    // M1 on the local 25th: idle from 00:00 (registered the day before), running 08:00-11:00; 97 good of 100
    expect(machineDay.oee?.['availability']).to.be.closeTo(3 / 11, 1e-12);
    expect(machineDay.oee?.['quality']).to.equal(0.97);
    const shifts = (await api.get(`/api/oee/rollups/plant/shifts?from=2026-11-24&to=2026-11-25`, 'analyst'))
      .body as unknown[];
    expect((await dashboard('?period=shift')).oee).to.deep.equal(shifts[shifts.length - 1]);
    const [week] = (await api.get(`/api/oee/rollups/plant/weeks?from=2026-11-23&to=2026-11-25`, 'analyst'))
      .body as unknown[];
    expect((await dashboard('?period=week')).oee).to.deep.equal(week);
  });

  it('shows the machines down or stopped now, scoped, and the figures of the other read models', async () => {
    const { api } = plant;
    const line = await dashboard('?scope=line:L1');
    expect(line.machines.count).to.equal(2);
    expect(line.machines.byState).to.deep.include({ running: 1, down: 1 });
    expect(line.machines.stopped.map((m) => [m.machineId, m.state])).to.deep.equal([['M2', 'down']]);
    const all = await dashboard('');
    // what else the screen may show, whatever the scope
    expect(line['choices']).to.deep.equal({ lines: ['L1'], machines: ['M1', 'M2', 'M3'] });
    expect(all.machines.byState).to.deep.include({ running: 1, down: 1, idle: 1 });
    const carbon = (await api.get('/api/carbon/days/2026-11-25', 'analyst')).body as { kWh: number };
    expect(all.energy['kWh']).to.equal(carbon.kWh);
    const overdue = (await api.get('/api/maintenance/overdue', 'analyst')).body as unknown[];
    expect(all.maintenance.overdue).to.equal(overdue.length);
    const soon = (await api.get('/api/maintenance/due-soon', 'analyst')).body as { plans: unknown[] };
    expect(all.maintenance.dueSoon).to.equal(soon.plans.length);
    const loops = (await api.get('/api/quality/worklist/nonconformances', 'quality')).body as unknown[];
    expect(all.quality.openLoops).to.equal(loops.length);
    expect(all.delivery).to.deep.equal({ completed: 0, onTime: 0, onTimeDelivery: null, openLate: 0 });
  });
});
