import { expect } from 'chai';
import { shareOperatorTime, type Clocking, type ShiftWindow } from '../../../src/projections/models/labourShare';
import {
  applyReport,
  emptyOperation,
  failInspection,
  figuresOf,
  rolledThroughputYield,
  type Report,
} from '../../../src/projections/models/yieldsCore';

const after = (received: number, reports: Array<Partial<Report>>) => {
  const op = emptyOperation(received);
  for (const r of reports) applyReport(op, { good: 0, scrap: 0, rework: 0, ...r });
  return figuresOf(op);
};

describe('yields rules (pure)', () => {
  // 100 received; 90 good at first; of 10 defective, 8 recovered by rework and 2 lost
  const expected = { units: 100, firstPassGood: 90, finalGood: 98, scrap: 2 };
  it('reads rework reported as rework, then its outcome, as 100 units, FPY 0.9, final 0.98', () => {
    expect(
      after(100, [
        { good: 90, rework: 10 },
        { good: 8, scrap: 2 },
      ]),
    ).to.deep.include(expected);
  });
  it('reads rework reported as rework and never again (recovered) the same way', () => {
    expect(after(100, [{ good: 90, rework: 8, scrap: 2 }])).to.deep.include(expected);
  });
  it('reads scrap re-reported good after rework the same way: the 8 are not new units', () => {
    expect(after(100, [{ good: 90, scrap: 10 }, { good: 8 }])).to.deep.include(expected);
  });
  it('does not take reports beyond what was received for re-reports when nothing waits in rework or scrap', () => {
    expect(after(100, [{ good: 100 }, { good: 3 }])).to.deep.include({ units: 103, firstPassGood: 103 });
  });
  it('takes a failed inspection’s units out of the first-pass good, never more than are left', () => {
    const op = emptyOperation(50);
    applyReport(op, { good: 50, scrap: 0, rework: 0 });
    expect(failInspection(op, 'NC-1', 10)).to.equal(10);
    expect(failInspection(op, 'NC-2', 45)).to.equal(40);
    expect(figuresOf(op)).to.deep.include({ firstPassGood: 0, finalGood: 0, inspectionRejected: 50 });
  });
  it('rolls throughput yield as the product of first-pass yields', () => {
    expect(rolledThroughputYield([0.9, 0.8])).to.be.closeTo(0.72, 1e-12);
    expect(rolledThroughputYield([0.9, null])).to.equal(null);
  });
});

describe('labour sharing (pure)', () => {
  const H = 3_600_000;
  const day = Date.parse('2026-11-25T00:00:00Z');
  // one shift, 00:00-08:00 UTC
  const shift = (): ShiftWindow => ({ name: 'A', date: '2026-11-25', start: day, end: day + 8 * H });
  const c = (orderId: string, from: number, to: number | null): Clocking => ({
    operatorId: 'op-1',
    orderId,
    operationId: '010',
    startedAt: new Date(day + from * H).toISOString(),
    endedAt: to === null ? null : new Date(day + to * H).toISOString(),
    good: 0,
    scrap: 0,
  });
  it('splits overlapping time equally at each instant and counts time past the shift as overtime', () => {
    const shared = shareOperatorTime([c('A', 0, 8), c('B', 0, 8), c('C', 6, 10)], day + 20 * H, shift, 'UTC');
    // 0-6: A, B (3 h each); 6-8: A, B, C (2/3 h each); 8-10: C alone, overtime
    expect(shared.map((s) => [s.orderId, s.hours, s.overtimeHours])).to.deep.equal([
      ['A', 3.6667, 0],
      ['B', 3.6667, 0],
      ['C', 2.6667, 2],
    ]);
  });
  it('ends an open clocking at the shift end, or now when that is earlier', () => {
    expect(shareOperatorTime([c('A', 1, null)], day + 20 * H, shift, 'UTC')[0]).to.deep.include({
      hours: 7,
      closedAtShiftEnd: true,
    });
    expect(shareOperatorTime([c('A', 1, null)], day + 3 * H, shift, 'UTC')[0]).to.deep.include({
      hours: 2,
      closedAtShiftEnd: false,
    });
  });
});

describe('yields after a scrap disposition', () => {
  it('counts units a scrap disposition moved from good to scrap once, when the nonconformance then closes as scrap', () => {
    // 10 reported good, all 10 failed their inspection, then the disposition scrapped them all
    const op = { ...emptyOperation(10), units: 10, firstPassGood: 10, good: 10 };
    op.good -= 10;
    op.scrap += 10;
    op.inspections['NC-1'] = { units: 10, state: 'lost', scrapped: 10 };
    expect(figuresOf(op)).to.deep.include({ firstPassGood: 0, finalGood: 0, scrap: 10 });
    // a split: 3 scrapped, 7 used as they are
    const split = { ...emptyOperation(10), units: 10, firstPassGood: 10, good: 7, scrap: 3 };
    split.inspections['NC-2'] = { units: 10, state: 'recovered', scrapped: 3 };
    expect(figuresOf(split)).to.deep.include({ firstPassGood: 0, finalGood: 7, scrap: 3 });
  });
});
