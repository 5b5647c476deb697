import { expect } from 'chai';
import { machineToRead, performedData } from '../../src/api/commands/maintenance';
import { reportedQuantities } from '../../src/api/commands/operations';
import { orderSpecOf } from '../../src/api/commands/orders';
import type { MaintenanceState } from '../../src/domain/maintenance';

const plan = (unit: 'days' | 'runningHours'): MaintenanceState => ({
  status: 'Active',
  planId: 'PM-1',
  machineId: 'M1',
  title: 'Oil',
  cycle: { unit, every: 100 },
  due: { dueRunningHours: 100 },
});

describe('commands built from request bodies', () => {
  it('a planner’s order: the id belongs to the stream, overrun tolerance defaults to none, the source is the planner', () => {
    const body = { orderId: 'PO-1', product: 'P', quantity: 5, unit: 'pcs', customer: 'C', priority: 2, dueDate: 'D' };
    expect(orderSpecOf(body)).to.deep.equal({
      product: 'P',
      quantity: 5,
      unit: 'pcs',
      customer: 'C',
      priority: 2,
      dueDate: 'D',
      overrunTolerance: 0,
      source: 'planner',
    });
    expect(orderSpecOf({ ...body, overrunTolerance: 0.05 }).overrunTolerance).to.equal(0.05);
  });

  it('an operator’s report keeps the scrap reason only when one was given', () => {
    expect(reportedQuantities({ good: 9, scrap: 1, rework: 0 })).to.deep.equal({ good: 9, scrap: 1, rework: 0 });
    expect(reportedQuantities({ good: 9, scrap: 1, rework: 0, scrapReason: 'BURR' })).to.have.property(
      'scrapReason',
      'BURR',
    );
  });

  it('maintenance reads running hours from the machine only when the plan counts them and the body gave none', () => {
    expect(machineToRead(plan('runningHours'), {})).to.equal('M1');
    expect(machineToRead(plan('runningHours'), { runningHours: 120 })).to.equal(undefined);
    expect(machineToRead(plan('days'), {})).to.equal(undefined);
    expect(machineToRead({ status: 'Initial' }, {})).to.equal(undefined);
    expect(performedData('PM-1', { runningHours: 120 }, 99)).to.deep.equal({ planId: 'PM-1', runningHours: 120 });
    expect(performedData('PM-1', { performedAt: 'T' }, 99)).to.deep.equal({
      planId: 'PM-1',
      performedAt: 'T',
      runningHours: 99,
    });
    expect(performedData('PM-1', {})).to.deep.equal({ planId: 'PM-1' });
  });
});
