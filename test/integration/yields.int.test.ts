import { expect } from 'chai';
import type { ReadModelQueries } from '../../src/projections/queries';
import { projectLog, type LoggedEvent } from '../support/eventLog';
import { operation, orderSpec } from '../support/fixtures';
import { TEST_PLANT } from '../support/readStoreDump';

const AT = '2026-11-25T10:00:00+08:00';
const ops = [operation('010', { workCenter: 'WC-TURN' }), operation('020', { workCenter: 'WC-MILL' })];
const planned = (orderId: string, quantity: number): LoggedEvent => ({
  stream: `order-${orderId}`,
  type: 'OrderPlanned',
  data: { orderId, spec: orderSpec({ quantity }, ops), plannedAt: AT },
  at: AT,
});
const report = (
  orderId: string,
  operationId: string,
  q: { good?: number; scrap?: number; rework?: number; scrapReason?: string },
): LoggedEvent => ({
  stream: `order-${orderId}`,
  type: 'OperationQuantityReported',
  data: {
    orderId,
    operationId,
    workCenter: operationId === '010' ? 'WC-TURN' : 'WC-MILL',
    good: q.good ?? 0,
    scrap: q.scrap ?? 0,
    rework: q.rework ?? 0,
    ...(q.scrapReason ? { scrapReason: q.scrapReason } : {}),
    reportedAt: AT,
  },
  at: AT,
});
const characteristics = [
  { name: 'diameter', kind: 'measured', lower: 9.9, upper: 10.1 },
  { name: 'roughness', kind: 'attribute' },
];
const inspectionFailed = (inspectionId: string, failed: string[], reinspectionOf?: string): LoggedEvent => ({
  stream: `inspection-${inspectionId}`,
  type: 'InspectionFailed',
  data: {
    inspectionId,
    orderId: 'PO-B',
    operationId: '020',
    lotId: 'LOT-B',
    reason: reinspectionOf ? 'reinspection' : 'routing',
    ...(reinspectionOf ? { reinspectionOf } : {}),
    failed: failed.map((characteristic) => ({ characteristic, passed: false })),
    characteristics,
    decidedAt: AT,
  },
  at: AT,
});

/**
 * Worked example. Product SHAFT, operations 010 (WC-TURN) then 020 (WC-MILL); rework reported in
 * each of the three ways the rule accepts, and a lot of PO-B failing its inspection at 020.
 *
 * PO-A, 100 units.
 *   010 reports good 92, rework 8 and never reports the reworked units again (they are recovered):
 *       units 100, first-pass good 92, final good 92 + 8 = 100.        FPY 0.92, final 1.00
 *   020 receives 100; reports good 85, scrap 15 (DIM); then good 10 of the scrap recovered by rework
 *       (scrap + re-report: the 10 are beyond the 100 received, so they are re-reports, not new units):
 *       units 100, first-pass good 85, final good 95, scrap 5.          FPY 0.85, final 0.95
 * PO-B, 50 units.
 *   010 reports good 40, rework 10; then good 10 after rework (re-report of the rework):
 *       units 50, first-pass good 40, final good 50.                    FPY 0.80, final 1.00
 *   020 receives 50, reports good 50; the inspection of lot LOT-B (10 units) fails diameter and
 *       roughness, its re-inspection fails diameter again, and the nonconformance closes as scrap:
 *       units 50, first-pass good 50 - 10 = 40, final good 40, scrap 10. FPY 0.80, final 0.80
 * SHAFT/010: units 150, first-pass good 132, final 150: FPY 0.88, final 1.0
 * SHAFT/020: units 150, first-pass good 125, final 135: FPY 0.8333.., final 0.9
 * SHAFT: units 300, first-pass good 257, final good 285; RTY = 0.88 x 0.8333.. = 0.7333..
 */
const EVENTS: LoggedEvent[] = [
  planned('PO-A', 100),
  planned('PO-B', 50),
  report('PO-A', '010', { good: 92, rework: 8 }),
  report('PO-A', '020', { good: 85, scrap: 15, scrapReason: 'DIM' }),
  report('PO-A', '020', { good: 10 }),
  report('PO-B', '010', { good: 40, rework: 10 }),
  report('PO-B', '010', { good: 10 }),
  report('PO-B', '020', { good: 50 }),
  {
    stream: 'lot-LOT-B',
    type: 'LotProduced',
    data: { lotId: 'LOT-B', material: 'SHAFT', orderId: 'PO-B', quantity: 10, unit: 'pcs', producedAt: AT },
    at: AT,
  },
  inspectionFailed('I-B', ['diameter', 'roughness']),
  inspectionFailed('I-B-R', ['diameter'], 'NC-I-B'),
  {
    stream: 'nonconformance-NC-I-B',
    type: 'NonconformanceClosed',
    data: {
      nonconformanceId: 'NC-I-B',
      orderId: 'PO-B',
      operationId: '020',
      lotId: 'LOT-B',
      resolution: 'scrap',
      pendingReinspection: 'I-B-R-R',
      openedAt: AT,
      closedAt: AT,
    },
    at: AT,
  },
];

describe('yields: first pass, final, rolled throughput, and the two Pareto views', function () {
  this.timeout(30_000);
  let q: ReadModelQueries;
  let close: () => Promise<void>;
  before(async () => ({ q, close } = await projectLog(TEST_PLANT, EVENTS, new Date('2026-11-25T12:00:00Z'))));
  after(() => close());

  it('counts rework once whichever way it is reported: per operation FPY and final yield', async () => {
    const byOperation = await q.quality.yields('operation');
    expect(byOperation.map((y) => [y.key, y.units, y.firstPassGood, y.good, y.scrap, y.rework])).to.deep.equal([
      ['SHAFT/010', 150, 132, 150, 0, 18],
      ['SHAFT/020', 150, 125, 135, 15, 0],
    ]);
    expect(byOperation[0]?.firstPassYield).to.be.closeTo(0.88, 1e-12);
    expect(byOperation[0]?.finalYield).to.equal(1);
    expect(byOperation[1]?.firstPassYield).to.be.closeTo(125 / 150, 1e-12);
    expect(byOperation[1]?.finalYield).to.be.closeTo(0.9, 1e-12);
  });

  it('a failed inspection takes its lot out of the first-pass good, and out of the final good when scrapped', async () => {
    const [mill] = await q.quality.yields('workCenter'); // WC-MILL sorts before WC-TURN
    // WC-MILL is 020: PO-A 85 + PO-B 40 first-pass good; without the inspection it would be 135
    expect(mill).to.deep.include({ key: 'WC-MILL', units: 150, firstPassGood: 125, inspectionRejected: 10 });
  });

  it('rolled throughput yield per product: the product of its operations’ first-pass yields', async () => {
    const [shaft] = await q.quality.yields('product');
    expect(shaft).to.deep.include({ key: 'SHAFT', units: 300, firstPassGood: 257, good: 285 });
    expect(shaft?.firstPassYield).to.be.closeTo(257 / 300, 1e-12);
    expect(shaft?.finalYield).to.be.closeTo(0.95, 1e-12);
    expect(shaft?.rolledThroughputYield).to.be.closeTo(0.88 * (125 / 150), 1e-12); // 0.7333
    expect((await q.quality.yields('day')).map((d) => [d.key, d.units])).to.deep.equal([['2026-11-25', 300]]);
  });

  it('the defect Pareto in units (each unit once) and in characteristic failures, as separate views', async () => {
    // units: rework 8 + 10 = 18, scrap DIM 15 (the 10 recovered were defective too), inspection 10; total 43
    const units = await q.quality.defectUnits();
    expect(units.map((r) => [r.kind, r.reason, r.units])).to.deep.equal([
      ['rework', 'rework', 18],
      ['scrap', 'DIM', 15],
      ['inspection', 'diameter+roughness', 10],
    ]);
    expect(units.map((r) => r.cumulativeShare)).to.deep.equal([18 / 43, 33 / 43, 1]);
    // characteristics: diameter failed twice (inspection and re-inspection), roughness once
    const failures = await q.quality.characteristicFailures();
    expect(failures.map((r) => [r.characteristic, r.failures, r.cumulativeShare])).to.deep.equal([
      ['diameter', 2, 2 / 3],
      ['roughness', 1, 1],
    ]);
  });
});
