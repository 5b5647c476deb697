import { expect } from 'chai';
import { createMasterDataService } from '../../src/app/masterData/service';
import { MOTOR, MOTOR_NAMES, ok, seedMotorPlant, startMasterPlant, type MasterPlant } from '../support/masterPlant';

type Problem = { status: number; rule?: string; detail: string; errors?: Array<{ path: string; message: string }> };

describe('master data over HTTP: versions, references, reason codes, languages', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  before(async () => {
    plant = await startMasterPlant('2026-11-25T00:00:00Z');
    await seedMotorPlant(plant);
  });
  after(async () => plant.stop());

  it('answers the version in force at any instant, and the history of every change', async () => {
    const { api } = plant;
    const renamed = { names: { ...MOTOR_NAMES, 'zh-CN': '三相异步电动机 7.5kW' }, unit: '台', family: 'YE3-132' };
    await ok(
      api.call('PUT', `/api/master/products/${MOTOR}`, {
        as: 'planner',
        body: { ...renamed, effectiveFrom: '2026-12-01T00:00:00+08:00' },
      }),
    );
    await ok(
      api.post(
        `/api/master/products/${MOTOR}/deactivate`,
        { effectiveFrom: '2027-06-30T16:00:00Z', reason: '停产' },
        'planner',
      ),
    );
    const at = async (instant: string) =>
      (await api.get(`/api/master/products/${MOTOR}?at=${encodeURIComponent(instant)}`, 'operator')).body as Record<
        string,
        unknown
      >;
    expect(await at('2026-11-30T23:59:59+08:00')).to.deep.include({
      version: 1,
      active: true,
      name: MOTOR_NAMES['zh-CN'],
    });
    expect(await at('2026-12-01T00:00:00+08:00')).to.deep.include({
      version: 2,
      active: true,
      name: '三相异步电动机 7.5kW',
    });
    expect(await at('2027-07-01T00:00:00Z')).to.deep.include({
      version: 2,
      active: false,
      since: '2027-06-30T16:00:00Z',
    });
    expect((await api.get(`/api/master/products/${MOTOR}?at=2026-01-01T00:00:00Z`, 'operator')).status).to.equal(404);

    const history = (await api.get(`/api/master/products/${MOTOR}/history`, 'auditor')).body as {
      history: Array<Record<string, unknown>>;
    };
    expect(history.history.map((h) => [h['type'], h['version'], h['effectiveFrom'], h['actor']])).to.deep.equal([
      ['ProductDefined', 1, '2026-11-25T00:00:00.000Z', 'planner-1'],
      ['ProductRevised', 2, '2026-12-01T00:00:00+08:00', 'planner-1'],
      ['ProductDeactivated', undefined, '2027-06-30T16:00:00Z', 'planner-1'],
    ]);
    expect(history.history[2]).to.include({ reason: '停产' });
  });

  it('lists records in force with search by code or by name in either language', async () => {
    const { api } = plant;
    await plant.backbone.readModels.idle();
    const codes = async (query: string) =>
      (
        (await api.get(`/api/master/products?${query}`, 'operator')).body as { items: Array<{ code: string }> }
      ).items.map((i) => i.code);
    expect(await codes(`q=${encodeURIComponent('电机')}`)).to.deep.equal([MOTOR]);
    expect(await codes('q=INDUCTION')).to.deep.equal([MOTOR]);
    expect(await codes('q=ye3-132m')).to.deep.equal([MOTOR]);
    expect(await codes('q=pump')).to.deep.equal([]);
    expect(await codes('family=YE3-132&active=true')).to.deep.equal([MOTOR]);
    const english = (await api.get('/api/master/work-centers', 'operator', { 'accept-language': 'en' })).body as {
      items: Array<{ code: string; name: string }>;
    };
    expect(english.items.map((i) => [i.code, i.name])).to.deep.equal([
      ['WC-ASSY', 'Assembly'],
      ['WC-WIND', 'Winding'],
    ]);
  });

  it('refuses what names codes master data lacks, each at its path', async () => {
    const { api } = plant;
    const step = {
      operationId: '010',
      code: 'PRESS',
      workCenter: 'WC-PRESS',
      standardMinutesPerUnit: 1,
      setupMinutes: 5,
      inspectionRequired: false,
    };
    const routing = (await api.post('/api/master/routings', { code: 'HUB-12', operations: [step] }, 'planner'))
      .body as Problem;
    expect(routing).to.deep.include({ status: 400, rule: 'reference-unknown' });
    expect(routing.errors).to.deep.equal([
      { path: '/code', message: 'product HUB-12 is not defined in master data' },
      { path: '/operations/0/workCenter', message: 'work center WC-PRESS is not defined in master data' },
    ]);
    const bom = (
      await api.call('PUT', `/api/master/boms/${MOTOR}`, {
        as: 'planner',
        body: { lines: [{ operationId: '040', material: 'SILICON-STEEL', quantityPerUnit: 8, unit: 'kg' }] },
      })
    ).body as Problem;
    expect(bom.errors?.map((e) => e.path)).to.deep.equal(['/lines/0/operationId', '/lines/0/material']);
    await ok(api.post('/api/master/sites', { code: 'JB', names: { 'zh-CN': '江北工厂' } }));
    await ok(api.post('/api/master/lines', { code: 'L-JB-1', names: { 'zh-CN': '江北一线' }, site: 'JB' }));
    const wc = (
      await api.post('/api/master/work-centers', { code: 'WC-X', names: { en: 'X' }, site: 'QJ', line: 'L-JB-1' })
    ).body as Problem;
    expect(wc.errors).to.deep.equal([{ path: '/line', message: 'line L-JB-1 belongs to site JB' }]);
  });

  it('validates a row for an import without writing anything: its content, then the codes it names', async () => {
    const service = createMasterDataService({ commands: plant.backbone.services.commands });
    const step = {
      operationId: '010',
      code: 'X',
      workCenter: 'WC-NONE',
      standardMinutesPerUnit: 1,
      setupMinutes: 0,
      inspectionRequired: false,
    };
    const problems = await service.validate(
      'routing',
      { code: MOTOR, record: { operations: [step, step] } },
      '2026-11-25T00:00:00Z',
    );
    expect(problems.map((p) => p.path)).to.deep.equal([
      '/operations/1/operationId',
      '/operations/0/workCenter',
      '/operations/1/workCenter',
    ]);
    expect(await plant.backbone.store.readStream(`routing-${MOTOR}`)).to.have.length(1);
  });

  it('refuses names with control characters, and takes any script up to the documented length', async () => {
    const { api } = plant;
    const bell = (
      await api.post(
        '/api/master/materials',
        { code: 'M-1', names: { 'zh-CN': '硅钢片\u0007' }, unit: 'kg' },
        'planner',
      )
    ).body as Problem;
    expect(bell.errors?.[0]?.path).to.equal('/names/zh-CN');
    const long = (
      await api.post('/api/master/materials', { code: 'M-1', names: { en: 'x'.repeat(201) }, unit: 'kg' }, 'planner')
    ).body as Problem;
    expect(long.errors?.[0]).to.deep.equal({ path: '/names/en', message: 'must NOT have more than 200 characters' });
    await ok(
      api.post(
        '/api/master/materials',
        { code: 'M-1', names: { 'zh-CN': '硅钢片 50W470 😀'.padEnd(200, '片') }, unit: 'kg' },
        'planner',
      ),
    );
  });

  it('checks reason codes once the plant defines its own, naming an unknown one in the caller’s language', async () => {
    const { api } = plant;
    // an operator's state is sent when it happens: the server's clock is there too (a state from the future is refused)
    const stateAt = (body: { at?: string } & Record<string, unknown>, headers?: Record<string, string>) => {
      if (body.at) plant.at(body.at);
      return api.post('/api/machines/M1/state', body, 'operator', headers);
    };
    await ok(
      api.post(
        '/api/machines',
        { machineId: 'M1', code: 'M1', name: '绕线机 1号', type: '绕线机', workCenter: 'WC-WIND', ratedPowerKw: 7.5 },
        'maintenance',
      ),
    );
    // no downtime codes of the plant's yet: any code, as before master data
    await ok(stateAt({ state: 'down', reasonCode: 'SPINDLE', at: '2026-11-25T00:10:00Z' }));
    await ok(stateAt({ state: 'idle', at: '2026-11-25T00:20:00Z' }));
    await ok(
      api.post(
        '/api/master/reason-codes/downtime',
        { code: 'jam', names: { 'zh-CN': '卡料', en: 'Material jam' } },
        'maintenance',
      ),
    );

    const refused = await stateAt({ state: 'down', reasonCode: 'SPINDLE', at: '2026-11-25T00:30:00Z' });
    expect(refused.status).to.equal(400);
    expect(refused.body).to.deep.include({
      rule: 'reason-code-unknown',
      detail: '停机原因代码 SPINDLE 未定义',
      errors: [{ path: '/reasonCode', message: 'SPINDLE is not defined' }],
    });
    const english = await stateAt(
      { state: 'down', reasonCode: 'SPINDLE' },
      {
        'accept-language': 'en',
      },
    );
    expect((english.body as Problem).detail).to.equal('downtime reason code SPINDLE is not defined');

    await ok(stateAt({ state: 'down', reasonCode: 'jam', at: '2026-11-25T00:30:00Z' }));
    await ok(stateAt({ state: 'idle', at: '2026-11-25T00:40:00Z' }));
    await ok(stateAt({ state: 'down', reasonCode: 'material-shortage', at: '2026-11-25T00:50:00Z' }));
    await ok(api.post('/api/master/reason-codes/downtime/jam/deactivate', {}, 'maintenance'));
    await ok(stateAt({ state: 'idle', at: '2026-11-25T01:00:00Z' }));
    const inactive = await stateAt({ state: 'down', reasonCode: 'jam', at: '2026-11-25T01:10:00Z' });
    expect(inactive.body).to.deep.include({ rule: 'reason-code-inactive', detail: '停机原因代码 jam 已停用' });
  });

  it('labels reason codes in the caller’s language: built-in ones and the plant’s', async () => {
    const labels = async (language?: string) =>
      Object.fromEntries(
        (
          (
            await plant.api.get(
              '/api/master/reason-codes?kind=downtime',
              'operator',
              language ? { 'accept-language': language } : undefined,
            )
          ).body as { items: Array<{ code: string; label: string; active: boolean }> }
        ).items.map((i) => [i.code, [i.label, i.active]]),
      );
    const zh = await labels();
    expect(zh).to.deep.include({
      'material-shortage': ['缺料', true],
      breakdown: ['设备故障', true],
      jam: ['卡料', false],
    });
    const en = await labels('en');
    expect(en).to.deep.include({ 'material-shortage': ['Material shortage', true], jam: ['Material jam', false] });
  });
});
