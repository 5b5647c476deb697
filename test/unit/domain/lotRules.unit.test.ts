import { expect } from 'chai';
import { issueRefusals, produceRefusals, productionLimit } from '../../../src/domain/lot';
import { orderDecider, type OrderCommand, type OrderState } from '../../../src/domain/order';
import { operation, orderSpec } from '../../support/fixtures';

const T = '2026-11-25T08:00:00.000Z';
// PO-1: 10 motors over two operations; winding takes copper wire, assembly lists no material
const spec = orderSpec({ product: 'MOTOR', quantity: 10, overrunTolerance: 0.1 }, [
  operation('010', { materials: [{ material: 'CU-WIRE', quantityPerUnit: 2.5, unit: 'kg' }] }),
  operation('020'),
]);
type Step = OrderCommand['type'];
/** The order after the given commands, each decided on the state before it (the order's own decider). */
const order = (...steps: [Step, Record<string, unknown>][]): OrderState =>
  steps.reduce<OrderState>((state, [type, data]) => {
    const command = { type, data: { orderId: 'PO-1', ...data }, meta: { now: T, actor: 'planner-1' } };
    return orderDecider.decide(command as OrderCommand, state).reduce(orderDecider.evolve, state);
  }, orderDecider.initialState);
const planned: [Step, Record<string, unknown>] = ['PlanOrder', { spec }];
const released: [Step, Record<string, unknown>] = ['ReleaseOrder', {}];
const rules = (state: OrderState, operationId: string, material?: string) =>
  issueRefusals(state, { lotId: 'L-1', orderId: 'PO-1', operationId, ...(material ? { material } : {}) }).map((r) => [
    r.status,
    r.rule,
    r.path,
    r.overridable,
  ]);

describe('lot rules that need the order (pure)', () => {
  it('an issue names an order and an operation that exist: 404 naming the field, never overridable', () => {
    expect(rules(order(), '010', 'CU-WIRE')).to.deep.equal([[404, 'order-unknown', '/orderId', false]]);
    expect(rules(order(planned, released), '999', 'CU-WIRE')).to.deep.equal([
      [404, 'operation-unknown', '/operationId', false],
    ]);
  });

  it('an issue goes to a released order’s ready operation, of a material on its BOM', () => {
    expect(rules(order(planned, released), '010', 'CU-WIRE')).to.deep.equal([]);
    // an operation that lists no material takes any
    expect(rules(order(planned, released), '020', 'ANY')).to.deep.equal([
      [409, 'operation-pending', '/operationId', true],
    ]);
    expect(rules(order(planned, released), '010', 'STEEL-BAR')).to.deep.equal([
      [409, 'material-not-on-bom', '/params/lotId', true],
    ]);
    // a planned order: neither it nor its operations take material
    expect(rules(order(planned), '010', 'CU-WIRE')).to.deep.equal([
      [409, 'order-not-released', '/orderId', true],
      [409, 'operation-pending', '/operationId', true],
    ]);
  });

  it('an issue to a rework operation checks the BOM of the operation it reworks', () => {
    const released2 = order(planned, released);
    if (released2.status === 'Initial') throw new Error('the order is planned');
    // a rework of 010 added by a scrap-or-rework disposition, ready to start
    const rework = {
      operationId: '010-RW1',
      workCenter: 'WC-010',
      inspectionRequired: false,
      status: 'ready' as const,
      good: 0,
      scrap: 0,
      rework: 0,
      reworkOf: { operationId: '010', nonconformanceId: 'NC-1', quantity: 3 },
    };
    const withRework: OrderState = { ...released2, reworks: [rework] };
    expect(rules(withRework, '010-RW1', 'CU-WIRE')).to.deep.equal([]);
    expect(rules(withRework, '010-RW1', 'STEEL-BAR')).to.deep.equal([
      [409, 'material-not-on-bom', '/params/lotId', true],
    ]);
  });

  it('an issue to a completed order is refused, its operation too', () => {
    const completed = order(
      planned,
      released,
      ['StartOperation', { operationId: '010' }],
      ['ReportQuantity', { operationId: '010', good: 10, scrap: 0, rework: 0 }],
      ['CompleteOperation', { operationId: '010' }],
      ['StartOperation', { operationId: '020' }],
      ['ReportQuantity', { operationId: '020', good: 10, scrap: 0, rework: 0 }],
      ['CompleteOperation', { operationId: '020' }],
    );
    expect(completed.status).to.equal('Completed');
    expect(rules(order(planned, released, ['StartOperation', { operationId: '010' }]), '010', 'CU-WIRE')).to.deep.equal(
      [],
    );
    expect(rules(completed, '010', 'CU-WIRE')).to.deep.equal([
      [409, 'order-not-released', '/orderId', true],
      [409, 'operation-completed', '/operationId', true],
    ]);
  });

  it('a produced lot: an existing released order, its product and unit, within quantity x (1 + tolerance)', () => {
    const state = order(planned, released);
    // 10 x (1 + 0.1) = 11 units in all
    expect(productionLimit({ spec })).to.be.closeTo(11, 1e-9);
    const lot = { lotId: 'FG-1', orderId: 'PO-1', material: 'MOTOR', quantity: 8, unit: 'pcs' };
    const check = (s: OrderState, l: typeof lot, produced: number) =>
      produceRefusals(s, l, produced).map((r) => [r.status, r.rule, r.path]);
    expect(check(state, lot, 0)).to.deep.equal([]);
    expect(check(state, { ...lot, quantity: 3 }, 8)).to.deep.equal([]); // 8 + 3 = 11
    expect(check(state, { ...lot, quantity: 4 }, 8)).to.deep.equal([[409, 'quantity-exceeds-order', '/quantity']]);
    const [over] = produceRefusals(state, { ...lot, quantity: 500 }, 0);
    expect(over?.params).to.deep.include({ quantity: 500, produced: 0, allowed: 11 });
    expect(check(state, { ...lot, material: 'SHAFT' }, 0)).to.deep.equal([
      [409, 'material-not-order-product', '/material'],
    ]);
    expect(check(state, { ...lot, unit: 'kg' }, 0)).to.deep.equal([[409, 'unit-not-order-unit', '/unit']]);
    expect(check(order(), lot, 0)).to.deep.equal([[404, 'order-unknown', '/orderId']]);
    expect(check(order(planned), lot, 0)).to.deep.equal([[409, 'order-not-released', '/orderId']]);
  });
});
