import { expect } from 'chai';
import { afterJob, done, issueFor, jobFor, nextOrderFor, toRelease } from '../../../src/simulator/orderFlow';
import { planOrders, type Order } from '../../../src/simulator/orderPlan';
import { seededRandom } from '../../../src/simulator/simClock';
import { MIN, START, steady } from '../../support/simulatedMachine';

/** Five arrived orders with the given priorities, due an hour apart. */
const arrived = (priorities: number[]): Order[] =>
  planOrders({ runId: 'F', orders: priorities.length, hours: 24 }, steady()).map((o, i) => ({
    ...o,
    arrived: true,
    priority: priorities[i]!,
    due: START + i * 3_600_000,
  }));

describe('simulator: releasing, dispatching and finishing orders', () => {
  it('releases the most urgent arrived orders, keeping about two released orders per machine', () => {
    const orders = arrived([5, 2, 9, 2, 1]);
    orders[0]!.released = true;
    const released = toRelease(orders, 2);
    expect(
      released.map((o) => o.orderId),
      'three more for two machines with one open',
    ).to.deep.equal(['F-PO-005', 'F-PO-002', 'F-PO-004']);
    orders[0]!.next = 2; // the open one is done: it no longer counts
    expect(toRelease(orders, 2)).to.have.length(4);
  });

  it('gives a machine the most urgent released order waiting at its work center that no machine holds', () => {
    const orders = arrived([3, 1, 2]).map((o) => ({ ...o, released: true }));
    orders[1]!.next = 1; // at milling now
    expect(nextOrderFor(orders, 'WC-MILL', () => false)?.orderId).to.equal('F-PO-002');
    expect(nextOrderFor(orders, 'WC-TURN', () => false)?.orderId).to.equal('F-PO-003');
    expect(nextOrderFor(orders, 'WC-TURN', (o) => o.orderId === 'F-PO-003')?.orderId).to.equal('F-PO-001');
    orders[1]!.next = 2;
    expect(done(orders[1]!)).to.equal(true);
    expect(nextOrderFor(orders, 'WC-MILL', () => false)).to.equal(undefined);
  });

  it('turns the order’s quantity with its bar steel, then mills what came good, inspected, into finished goods', () => {
    const [order] = arrived([4]);
    const turning = jobFor(order!)!;
    expect([turning.operation.workCenter, turning.target]).to.deep.equal(['WC-TURN', order!.quantity]);
    expect(issueFor(turning)).to.deep.equal({
      lotId: 'F-PO-001-BAR',
      body: { orderId: 'F-PO-001', operationId: '010', quantity: order!.quantity * 0.8 },
    });
    const afterTurning = afterJob({ ...turning, made: turning.target, good: 17 }, START, steady(), 0.5);
    expect(afterTurning).to.deep.equal({ next: 1, good: 17, inspection: undefined, finishedGoods: undefined });

    const milling = jobFor({ ...order!, next: 1, good: 17 })!;
    expect([milling.operation.workCenter, milling.target]).to.deep.equal(['WC-MILL', 17]);
    expect(issueFor(milling)).to.equal(undefined);
    const afterMilling = afterJob({ ...milling, made: 17, good: 16, scrap: 1 }, START, steady(), 0.5);
    expect(afterMilling.next).to.equal(2);
    expect(afterMilling.inspection).to.deep.equal({
      inspectionId: 'F-PO-001.020.1',
      passed: true,
      at: START + 10 * MIN,
    });
    expect(afterMilling.finishedGoods).to.deep.include({ lotId: 'F-PO-001-FG', orderId: 'F-PO-001', quantity: 16 });
  });

  it('fails inspections at the defect rate', () => {
    const [order] = arrived([4]);
    const milling = jobFor({ ...order!, next: 1, good: 10 })!;
    const random = seededRandom(5);
    const passed = Array.from({ length: 2000 }, () => afterJob(milling, START, random, 0.15).inspection?.passed);
    expect(passed.filter((p) => p === false).length / passed.length).to.be.within(0.12, 0.18);
    expect(afterJob(milling, START, random, 1).inspection?.passed).to.equal(false);
  });
});
