import { expect } from 'chai';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { client, makeKeys } from '../support/apiClient';
import { asOperator, shopFloor, type ShopFloor } from '../support/people';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const ORDER = {
  orderId: 'PO-QE2E',
  product: 'SHAFT',
  quantity: 10,
  unit: 'pcs',
  customer: 'ACME',
  priority: 2,
  dueDate: '2026-12-01T00:00:00+08:00',
  routing: {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-QE2E-1',
        standardMinutesPerUnit: 2,
        setupMinutes: 10,
        inspectionRequired: true,
        characteristics: [{ name: 'diameter', kind: 'measured', lower: 9.9, upper: 10.1, unit: 'mm' }],
        materials: [],
      },
      {
        operationId: '020',
        code: 'GRIND',
        workCenter: 'WC-QE2E-2',
        standardMinutesPerUnit: 1,
        setupMinutes: 5,
        inspectionRequired: false,
        materials: [],
      },
    ],
  },
};

/** The hold point, a split disposition, a hand-raised NC and the worklists over HTTP, against a started process. */
describe('quality containment over HTTP (a started process)', function () {
  this.timeout(180_000);
  const temp = makeTempDir('mes-quality-e2e-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess;
  let api: ReturnType<typeof client>;
  let operator: ShopFloor;
  const op = (operationId: string, action: string, body: object = {}) =>
    asOperator(api, operator, 'POST', `/api/orders/PO-QE2E/operations/${operationId}/${action}`, body);
  const worklist = async (which: string) =>
    (await api.get(`/api/quality/worklist/${which}`, 'quality')).body as Array<Record<string, unknown>>;

  before(async () => {
    backbone = await startBackboneProcess({ DATA_DIR: temp.dir, API_KEYS_FILE: keys.file, LOG_LEVEL: 'warn' });
    api = client(backbone.baseUrl, keys.tokens);
    operator = await shopFloor(api, 'PDA-QE2E', 'zhao.min', 'B-QE2E-1');
  });
  after(async () => {
    await backbone.stop();
    temp.remove();
  });

  it('holds 020 behind 010’s inspection and its NC; a split disposition scraps 3 of 10; worklists show what is to do', async () => {
    expect((await api.post('/api/orders', ORDER, 'planner')).status).to.equal(201);
    expect((await api.post('/api/orders/PO-QE2E/release', {}, 'planner')).status).to.equal(200);
    expect((await op('010', 'start')).status).to.equal(200);
    expect((await op('010', 'report', { good: 10, scrap: 0, rework: 0 })).status).to.equal(200);
    expect((await op('010', 'complete')).status).to.equal(200);
    await waitFor(
      async () => (await worklist('inspections')).some((i) => i['inspectionId'] === 'PO-QE2E.010.1'),
      'the routing inspection in the worklist',
    );

    const held = await op('020', 'start');
    expect(held.status).to.equal(409);
    expect(held.body).to.deep.include({ rule: 'inspection-hold' });
    expect((await worklist('holds')).map((h) => h['holdId'])).to.include('PO-QE2E.010.1');

    const failed = await api.post(
      '/api/inspections/PO-QE2E.010.1/results',
      { results: [{ characteristic: 'diameter', value: 10.4 }] },
      'quality',
    );
    expect(failed.status).to.equal(200);
    await waitFor(
      async () => (await worklist('nonconformances')).some((n) => n['orderId'] === 'PO-QE2E'),
      'the NC in the worklist',
    );
    const nc = (await worklist('nonconformances')).find((n) => n['orderId'] === 'PO-QE2E');
    expect(nc).to.deep.include({ nonconformanceId: 'NC-PO-QE2E.010.1', quantity: 10, lotId: 'WIP-PO-QE2E-010' });
    // the quality loop's reaction goes on after the NC is raised: the order's hold passes from the
    // inspection to the NC a few commands later, and the holds worklist shows when it has
    await waitFor(async () => {
      const holds = (await worklist('holds')).map((h) => h['holdId']);
      return holds.includes('NC-PO-QE2E.010.1') && !holds.includes('PO-QE2E.010.1');
    }, 'the NC holding the order in place of the inspection');
    expect(((await op('020', 'start')).body as { rule?: string }).rule).to.equal('nonconformance-hold');

    const uneven = await api.post(
      '/api/nonconformances/NC-PO-QE2E.010.1/disposition',
      { dispositions: [{ disposition: 'scrap', quantity: 3 }] },
      'quality',
    );
    expect(uneven.status).to.equal(400);
    expect(JSON.stringify(uneven.body)).to.include('/dispositions');
    const split = await api.post(
      '/api/nonconformances/NC-PO-QE2E.010.1/disposition',
      {
        dispositions: [
          { disposition: 'scrap', quantity: 3 },
          { disposition: 'use-as-is', quantity: 7 },
        ],
      },
      'quality',
    );
    expect(split.status).to.equal(200);
    await waitFor(async () => (await op('020', 'start')).status === 200, '020 started once the NC closed');
    await waitFor(async () => {
      const wip = (await api.get('/api/wip/orders/PO-QE2E', 'planner')).body as { operations: object[] };
      return JSON.stringify(wip.operations[0]).includes('"good":7');
    }, 'WIP counting 7 good at 010');
    expect((await op('020', 'report', { good: 8, scrap: 0, rework: 0 })).status).to.equal(409);
  });

  it('lets a quality user raise an NC by hand and release its hold with a reason; others may not', async () => {
    const body = {
      nonconformanceId: 'NC-QE2E-CC',
      source: 'customer-complaint',
      description: 'customer found burrs',
      orderId: 'PO-QE2E',
      quantity: 2,
      unit: 'pcs',
    };
    expect((await api.post('/api/nonconformances', body, 'planner')).status).to.equal(403);
    const missing = await api.post('/api/nonconformances', { ...body, orderId: undefined }, 'quality');
    expect(missing.status).to.equal(400);
    expect((await api.post('/api/nonconformances', body, 'quality')).status).to.equal(201);
    await waitFor(
      async () => (await worklist('holds')).some((h) => h['holdId'] === 'NC-QE2E-CC'),
      'the hand-raised NC’s hold',
    );
    const release = '/api/orders/PO-QE2E/holds/NC-QE2E-CC/release';
    expect((await api.post(release, { reason: 'checked' }, 'planner')).status).to.equal(403);
    expect((await api.post(release, {}, 'quality')).status).to.equal(400);
    expect((await api.post(release, { reason: 'sample re-checked, burrs cosmetic' }, 'quality')).status).to.equal(200);
    await waitFor(
      async () => !(await worklist('holds')).some((h) => h['holdId'] === 'NC-QE2E-CC'),
      'the released hold gone from the worklist',
    );
  });
});
