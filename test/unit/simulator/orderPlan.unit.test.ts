import { expect } from 'chai';
import { parseSchedule, scheduleRequests } from '../../../src/adapters/erp/b2mml';
import { v0600Violations } from '../../fixtures/b2mml/v0600';
import { loadSchemaRegistry } from '../../../src/app/schemaRegistry';
import { idealSeconds, PRODUCTS } from '../../../src/simulator/catalog';
import {
  arrivalTimes,
  batchCount,
  dueAt,
  materialReceipt,
  planOrders,
  scheduleXml,
} from '../../../src/simulator/orderPlan';
import { seededRandom } from '../../../src/simulator/simClock';
import { H, MIN, START } from '../../support/simulatedMachine';

describe('simulator: the ERP’s orders and schedules', () => {
  const hours = 24;
  const orders = planOrders({ runId: 'R1', orders: 30, hours }, seededRandom(1));

  it('plans the asked number of orders: products in turn, 20 to 60 units, priorities 1 to 9, turned then milled', () => {
    expect(orders.map((o) => o.orderId).slice(0, 2)).to.deep.equal(['R1-PO-001', 'R1-PO-002']);
    expect(new Set(orders.map((o) => o.orderId)).size).to.equal(30);
    orders.forEach((o, i) => {
      expect(o.product).to.equal(PRODUCTS[i % 3]);
      expect(o.quantity % 10).to.equal(0);
      expect(o.quantity).to.be.within(20, 60);
      expect(o.priority).to.be.within(1, 9);
      expect(o.operations.map((op) => [op.operationId, op.workCenter, op.inspection])).to.deep.equal([
        ['010', 'WC-TURN', false],
        ['020', 'WC-MILL', true],
      ]);
      for (const op of o.operations)
        expect((op.minutesPerUnit * 60) / idealSeconds(o.product, op.workCenter)).to.be.within(1.05, 1.25);
    });
  });

  it('gives the same orders for the same seed and others for another', () => {
    const again = planOrders({ runId: 'R1', orders: 30, hours }, seededRandom(1));
    const other = planOrders({ runId: 'R1', orders: 30, hours }, seededRandom(2));
    expect(again).to.deep.equal(orders);
    expect(other.map((o) => o.quantity)).not.to.deep.equal(orders.map((o) => o.quantity));
  });

  it('sends them in four schedules spread through the run, each order due 4 to 12 hours after it arrives', () => {
    expect(batchCount(30)).to.equal(4);
    expect(batchCount(3), 'never more schedules than orders').to.equal(3);
    const arrivals = arrivalTimes(START, hours, 4);
    expect(arrivals.map((a) => (a - START) / MIN)).to.deep.equal([0, 288, 576, 864]);
    expect([...new Set(orders.map((o) => o.batch))]).to.deep.equal([0, 1, 2, 3]);
    for (const o of orders) {
      const arrived = arrivals[o.batch]!;
      expect(dueAt(o, arrived) - arrived).to.be.within(4 * H, 12 * H);
      expect(arrived).to.be.below(START + hours * H);
    }
  });

  it('writes B2MML that the backbone’s own adapter reads back as the same orders, by product without segments', () => {
    const at = arrivalTimes(START, hours, 4)[1]!;
    const batch = orders.filter((o) => o.batch === 1).map((o) => ({ ...o, due: dueAt(o, at) }));
    const xml = scheduleXml(batch, at, 'SCH-R1-2');
    expect(v0600Violations(xml), 'the V0600 element order').to.deep.equal([]);
    const read = scheduleRequests(parseSchedule(xml, 'application/xml'), loadSchemaRegistry()).map((r) => {
      if ('problems' in r) throw new Error(`refused: ${JSON.stringify(r.problems)}`);
      return r;
    });
    expect(read.map((r) => r.orderId)).to.deep.equal(batch.map((o) => o.orderId));
    read.forEach((r, i) => {
      const o = batch[i]!;
      expect(r.spec).to.deep.include({ product: o.product, quantity: o.quantity, priority: o.priority });
      expect(r.spec.dueDate).to.equal(new Date(o.due).toISOString());
      expect(r.spec.earliestStart).to.equal(new Date(at).toISOString());
      // no segments: the backbone takes the product's master routing, BOM and inspection plan at release
      expect(r.spec.routing).to.equal(undefined);
    });
  });

  it('receives one lot of bar steel per order of the batch', () => {
    const batch = orders.filter((o) => o.batch === 2);
    const receipt = materialReceipt('R1', 2, batch);
    expect(receipt.receiptId).to.equal('GR-R1-3');
    expect(receipt.lines.map((l) => l.lotId)).to.deep.equal(batch.map((o) => `${o.orderId}-BAR`));
  });
});
