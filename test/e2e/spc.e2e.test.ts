import { expect } from 'chai';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { client, makeKeys } from '../support/apiClient';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const LOWER = 9.9;
const UPPER = 10.1;
const ORDER = {
  orderId: 'PO-SPC',
  product: 'SHAFT-SPC',
  quantity: 40,
  unit: 'pcs',
  customer: 'ACME',
  priority: 2,
  dueDate: '2027-12-01T00:00:00+08:00',
  routing: {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-SPC-1',
        standardMinutesPerUnit: 2,
        setupMinutes: 10,
        inspectionRequired: false,
        materials: [],
      },
      {
        operationId: '020',
        code: 'GRIND',
        workCenter: 'WC-SPC-2',
        standardMinutesPerUnit: 1,
        setupMinutes: 5,
        inspectionRequired: false,
        materials: [],
      },
    ],
  },
};
const CHART = 'SHAFT-SPC.010.diameter';

/** SPC over HTTP: limits from a baseline, a drift caught by the Western Electric rules while every part is in tolerance. */
describe('SPC over HTTP (a started process)', function () {
  this.timeout(180_000);
  const temp = makeTempDir('mes-spc-e2e-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess;
  let api: ReturnType<typeof client>;
  let n = 0;
  /** A patrol inspection of operation 010: one part's diameter measured. */
  const measure = async (value: number): Promise<string> => {
    n += 1;
    const inspectionId = `PO-SPC.010.P${n}`;
    const requested = await api.post(
      '/api/inspections',
      {
        inspectionId,
        orderId: 'PO-SPC',
        operationId: '010',
        product: 'SHAFT-SPC',
        characteristics: [{ name: 'diameter', kind: 'measured', lower: LOWER, upper: UPPER, unit: 'mm' }],
      },
      'quality',
    );
    expect(requested.status, requested.text).to.equal(201);
    const recorded = await api.post(
      `/api/inspections/${inspectionId}/results`,
      { results: [{ characteristic: 'diameter', value }] },
      'quality',
    );
    expect(recorded.status, recorded.text).to.equal(200);
    return inspectionId;
  };
  type Chart = {
    points: number;
    limits: { center: number; ucl: number; lcl: number; sigma: number } | null;
    capability: { cp?: number; cpk?: number } | null;
    violations: Array<{ rule: number; inspectionId: string; inspections: string[]; nonconformanceId: string }>;
    series: Array<{ inspectionId: string; value: number }>;
  };
  const chart = async (): Promise<Chart> => (await api.get(`/api/spc/charts/${CHART}`, 'quality')).body as Chart;

  before(async () => {
    backbone = await startBackboneProcess({ DATA_DIR: temp.dir, API_KEYS_FILE: keys.file, LOG_LEVEL: 'warn' });
    api = client(backbone.baseUrl, keys.tokens);
    expect((await api.post('/api/orders', ORDER, 'planner')).status).to.equal(201);
    expect((await api.post('/api/orders/PO-SPC/release', {}, 'planner')).status).to.equal(200);
  });
  after(async () => {
    await backbone?.stop();
    temp.remove();
  });

  it('charts each measured result, sets limits from a baseline (quality only), and catches a drift before a part is out of tolerance', async () => {
    const from = new Date().toISOString();
    const baseline = [0, 1, -1, 2, -2, 0, 1, -1, 0, 2, -1, 1].map((d) => 10 + d * 0.01);
    for (const value of baseline) await measure(value);
    await waitFor(async () => (await chart()).points === baseline.length, 'the baseline charted');
    const to = new Date().toISOString();
    expect((await chart()).limits, 'no limits before a quality user sets them').to.equal(null);

    // too few points, a bad body and the wrong role are refused, naming the field
    const few = await api.post(
      `/api/spc/charts/${CHART}/limits`,
      { from: to, to: new Date(Date.now() + 1000).toISOString() },
      'quality',
    );
    expect(few.status).to.equal(400);
    expect(few.text).to.contain('/from');
    const bad = await api.post(`/api/spc/charts/${CHART}/limits`, { from, to, rules: [5] }, 'quality');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('/rules/0');
    expect((await api.post(`/api/spc/charts/${CHART}/limits`, { from, to }, 'planner')).status).to.equal(403);
    expect((await api.get('/api/spc/charts/NOPE.010.x', 'quality')).status).to.equal(404);

    const set = await api.post(`/api/spc/charts/${CHART}/limits`, { from, to }, 'quality');
    expect(set.status, set.text).to.equal(200);
    const limits = await waitFor(async () => (await chart()).limits ?? undefined, 'the limits in the read model');
    const mean = baseline.reduce((s, v) => s + v, 0) / baseline.length;
    expect(limits.center).to.be.closeTo(mean, 1e-9);
    const charted = await chart();
    expect(charted.capability?.cp).to.be.closeTo((UPPER - LOWER) / (6 * limits.sigma), 1e-9);

    // the process drifts upward; every part is within 9.9-10.1
    const drift = [10.02, 10.035, 10.05, 10.06, 10.07, 10.08];
    const measured: string[] = [];
    for (const value of drift) measured.push(await measure(value));
    expect(drift.every((v) => v > LOWER && v < UPPER)).to.equal(true);
    const signalled = await waitFor(async () => {
      const now = await chart();
      return now.violations.length > 0 ? now : undefined;
    }, 'a rule violation on the chart');
    const first = signalled.violations[0] as Chart['violations'][number];
    expect(measured).to.include(first.inspectionId);
    // the nonconformance is open, through the quality loop, naming the rule
    const open = await waitFor(async () => {
      const ncs = (await api.get('/api/quality/worklist/nonconformances', 'quality')).body as Array<
        Record<string, unknown>
      >;
      return ncs.find((nc) => nc['nonconformanceId'] === first.nonconformanceId);
    }, 'the SPC nonconformance in the worklist');
    expect(JSON.stringify(open)).to.contain(`rule ${first.rule}`);
    // and it holds the order's later operations, as an NC on the operation does
    const holds = await waitFor(async () => {
      const list = (await api.get('/api/quality/worklist/holds', 'quality')).body as Array<Record<string, unknown>>;
      return list.find((h) => h['holdId'] === first.nonconformanceId);
    }, 'the hold of the SPC nonconformance');
    expect(holds['orderId']).to.equal('PO-SPC');
  });
});
