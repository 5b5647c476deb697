import { expect } from 'chai';
import { reportedQuantities } from '../../src/api/commands/operations';
import { orderSpecOf } from '../../src/api/commands/orders';

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
});
