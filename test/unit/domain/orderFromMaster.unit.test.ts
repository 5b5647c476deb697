import { expect } from 'chai';
import { IllegalStateError } from '../../../src/domain/errors';
import { bomCheck, routingForOrder, type InForce, type MasterForOrder } from '../../../src/domain/masterData';
import {
  orderDecider,
  type MasterVersions,
  type OrderEvent,
  type OrderSpec,
  type Routing,
} from '../../../src/domain/order';
import { meta, NOW, specFor } from '../../support/given';

const m = meta({ actor: 'planner-1' });
const O = 'PO-9';
const spec: OrderSpec = {
  product: 'YE3-132M-4',
  productNames: { 'zh-CN': '三相异步电机 7.5kW' },
  quantity: 4,
  unit: '台',
  priority: 3,
  dueDate: '2026-12-05T17:00:00+08:00',
  overrunTolerance: 0,
  source: 'planner',
};
const routing: Routing = {
  overlap: false,
  operations: [
    {
      operationId: '010',
      code: 'WIND',
      workCenter: 'WC-WIND',
      standardMinutesPerUnit: 6,
      setupMinutes: 20,
      inspectionRequired: false,
      materials: [{ material: 'CU-WIRE', quantityPerUnit: 2.5, unit: 'kg' }],
    },
  ],
};
const masterData: MasterVersions = {
  product: { version: 1, effectiveFrom: NOW },
  routing: { version: 2, effectiveFrom: NOW },
};
const planned: OrderEvent = { type: 'OrderPlanned', data: { orderId: O, spec, plannedAt: NOW } };
const released: OrderEvent = { type: 'OrderReleased', data: { orderId: O, releasedAt: NOW, routing, masterData } };
const order = specFor(orderDecider);

const inForce = <R>(record: R, version = 1, active = true): InForce<R> => ({
  version,
  effectiveFrom: NOW,
  record,
  active,
  since: NOW,
});

describe('orders planned by product', () => {
  it('release with the master routing the application resolved: it is copied into OrderReleased', () => {
    const events = order
      .given([planned])
      .when({ type: 'ReleaseOrder', data: { orderId: O, resolved: { routing, masterData } }, meta: m })
      .events();
    expect(events[0]).to.deep.equal(released);
    expect(events[1]).to.deep.include({ type: 'OperationReady' });
    expect(events[1]?.data).to.include({ workCenter: 'WC-WIND', plannedMinutes: 44 });
  });

  it('keeps its own routing when it has one: the resolved one is ignored', () => {
    const routed: OrderEvent = {
      type: 'OrderPlanned',
      data: { orderId: O, spec: { ...spec, routing }, plannedAt: NOW },
    };
    const other = { ...routing, operations: [{ ...routing.operations[0]!, workCenter: 'WC-OTHER' }] };
    const [event] = order
      .given([routed])
      .when({ type: 'ReleaseOrder', data: { orderId: O, resolved: { routing: other, masterData } }, meta: m })
      .events();
    expect(event).to.deep.equal({ type: 'OrderReleased', data: { orderId: O, releasedAt: NOW } });
  });

  it('revises a released order without repeating the copied routing, which stays', () => {
    const later = { ...spec, dueDate: '2026-12-06T17:00:00+08:00' };
    order
      .given([planned, released])
      .when({ type: 'ReviseOrder', data: { orderId: O, spec: later }, meta: m })
      .then([{ type: 'OrderRevised', data: { orderId: O, spec: { ...later, routing }, revision: 1 } }]);
  });
});

describe('the routing an order takes from master data', () => {
  const master = (overrides: Partial<MasterForOrder> = {}): MasterForOrder => ({
    code: 'YE3-132M-4',
    at: NOW,
    product: inForce({ names: { 'zh-CN': '电机' }, unit: '台' }),
    routing: inForce({
      operations: [
        {
          operationId: '010',
          code: 'WIND',
          workCenter: 'WC-WIND',
          standardMinutesPerUnit: 6,
          setupMinutes: 20,
          inspectionRequired: false,
        },
      ],
    }),
    bom: inForce({ lines: [{ operationId: '010', material: 'CU-WIRE', quantityPerUnit: 2.5, unit: 'kg' }] }),
    plan: undefined,
    ...overrides,
  });

  it('joins each operation with its BOM lines', () => {
    expect(routingForOrder(master()).routing.operations[0]?.materials).to.deep.equal([
      { material: 'CU-WIRE', quantityPerUnit: 2.5, unit: 'kg' },
    ]);
  });

  it('refuses an inactive product, a product without a routing in force, and a BOM naming another operation', () => {
    const rule = (given: MasterForOrder): string | undefined => {
      try {
        routingForOrder(given);
      } catch (error) {
        return error instanceof IllegalStateError ? error.rule : 'other';
      }
      return undefined;
    };
    expect(rule(master({ product: inForce({ names: { en: 'Motor' }, unit: 'pcs' }, 1, false) }))).to.equal(
      'product-inactive',
    );
    expect(rule(master({ routing: undefined }))).to.equal('routing-required');
    const stray = inForce({ lines: [{ operationId: '090', material: 'CU-WIRE', quantityPerUnit: 1, unit: 'kg' }] });
    expect(rule(master({ bom: stray }))).to.equal('master-data-inconsistent');
  });

  it('tells a material on an operation’s BOM from one that is not, and an operation with no BOM', () => {
    expect(bomCheck(routing, '010', 'CU-WIRE')).to.equal('on-bom');
    expect(bomCheck(routing, '010', 'STEEL')).to.equal('not-on-bom');
    expect(
      bomCheck({ ...routing, operations: [{ ...routing.operations[0]!, materials: [] }] }, '010', 'STEEL'),
    ).to.equal('no-bom');
  });
});
