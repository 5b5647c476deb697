import { expect } from 'chai';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../src/domain/errors';
import { orderDecider, type OrderEvent, type OrderSpec, type RoutingOperation } from '../../../src/domain/order';
import { meta, NOW, specFor } from '../../support/given';

const spec = (overrides: Partial<OrderSpec> = {}): OrderSpec => ({
  product: 'MOTOR-5KW',
  quantity: 10,
  unit: 'pcs',
  customer: 'ACME',
  priority: 3,
  dueDate: '2026-12-01T17:00:00+08:00',
  overrunTolerance: 0,
  source: 'planner',
  routing: {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-TURN',
        standardMinutesPerUnit: 2,
        setupMinutes: 15,
        inspectionRequired: false,
        materials: [],
      },
      {
        operationId: '020',
        code: 'WIND',
        workCenter: 'WC-WIND',
        standardMinutesPerUnit: 5,
        setupMinutes: 10,
        inspectionRequired: true,
        materials: [],
      },
    ],
  },
  ...overrides,
});

const O = 'PO-1';
const planned: OrderEvent = { type: 'OrderPlanned', data: { orderId: O, spec: spec(), plannedAt: NOW } };
const released: OrderEvent[] = [
  planned,
  { type: 'OrderReleased', data: { orderId: O, releasedAt: NOW } },
  {
    type: 'OperationReady',
    data: {
      orderId: O,
      operationId: '010',
      workCenter: 'WC-TURN',
      product: 'MOTOR-5KW',
      quantity: 10,
      priority: 3,
      dueDate: spec().dueDate,
      releasedAt: NOW,
      plannedMinutes: 35,
    },
  },
];
const started = (op = '010', wc = 'WC-TURN'): OrderEvent => ({
  type: 'OperationStarted',
  data: { orderId: O, operationId: op, workCenter: wc, startedAt: NOW },
});
const reported = (op: string, good: number, wc = 'WC-TURN'): OrderEvent => ({
  type: 'OperationQuantityReported',
  data: { orderId: O, operationId: op, workCenter: wc, good, scrap: 0, rework: 0, reportedAt: NOW },
});
const completed = (op: string, good: number, wc: string, last: boolean): OrderEvent => ({
  type: 'OperationCompleted',
  data: {
    orderId: O,
    operationId: op,
    workCenter: wc,
    good,
    scrap: 0,
    rework: 0,
    startedAt: NOW,
    completedAt: NOW,
    last,
  },
});
const ready020: OrderEvent = {
  type: 'OperationReady',
  data: {
    orderId: O,
    operationId: '020',
    workCenter: 'WC-WIND',
    product: 'MOTOR-5KW',
    quantity: 10,
    priority: 3,
    dueDate: spec().dueDate,
    releasedAt: NOW,
    plannedMinutes: 60,
  },
};
const firstDone = [...released, started(), reported('010', 10), completed('010', 10, 'WC-TURN', false), ready020];

const order = specFor(orderDecider);
const m = meta();

describe('order', () => {
  describe('planning', () => {
    it('plans an order with its routing', () =>
      order
        .given([])
        .when({ type: 'PlanOrder', data: { orderId: O, spec: spec() }, meta: m })
        .then([planned]));
    it('refuses to plan the same order twice', () =>
      order
        .given([planned])
        .when({ type: 'PlanOrder', data: { orderId: O, spec: spec() }, meta: m })
        .thenThrows(IllegalStateError, 'order-exists'));
    it('refuses a routing that repeats an operation', () => {
      const base = spec();
      const first = base.routing?.operations[0] as RoutingOperation;
      const repeated = spec({ routing: { overlap: false, operations: [first, { ...first }] } });
      order
        .given([])
        .when({ type: 'PlanOrder', data: { orderId: O, spec: repeated }, meta: m })
        .thenThrows(ValidationError);
    });
    it('revises a planned order, and writes nothing when nothing changed', () => {
      order
        .given([planned])
        .when({ type: 'ReviseOrder', data: { orderId: O, spec: spec({ quantity: 12 }) }, meta: m })
        .then([{ type: 'OrderRevised', data: { orderId: O, spec: spec({ quantity: 12 }), revision: 1 } }]);
      order
        .given([planned])
        .when({ type: 'ReviseOrder', data: { orderId: O, spec: spec() }, meta: m })
        .then([]);
    });
    it('refuses to revise an order once it has started, or a released order’s routing', () => {
      order
        .given([...released, started()])
        .when({ type: 'ReviseOrder', data: { orderId: O, spec: spec({ quantity: 12 }) }, meta: m })
        .thenThrows(IllegalStateError, 'order-started');
      order
        .given(released)
        .when({ type: 'ReviseOrder', data: { orderId: O, spec: spec({ routing: undefined }) }, meta: m })
        .thenThrows(IllegalStateError, 'routing-locked');
      const later = spec({ dueDate: '2026-12-05T17:00:00+08:00' });
      order
        .given(released)
        .when({ type: 'ReviseOrder', data: { orderId: O, spec: later }, meta: m })
        .then([
          {
            type: 'OrderRevised',
            // the ready operation is named, so dispatch moves it in its queue
            data: { orderId: O, spec: later, revision: 1, queued: [{ operationId: '010', workCenter: 'WC-TURN' }] },
          },
        ]);
    });
    it('refuses to hold or reprioritise a finished order', () => {
      const done = [
        ...released,
        {
          type: 'OrderCompleted',
          data: { orderId: O, product: 'MOTOR-5KW', good: 10, scrap: 0, completedAt: NOW },
        } as OrderEvent,
      ];
      order
        .given(done)
        .when({ type: 'HoldOrder', data: { orderId: O, reason: 'x' }, meta: m })
        .thenThrows(IllegalStateError, 'order-finished');
      order
        .given(done)
        .when({ type: 'ReprioritiseOrder', data: { orderId: O, priority: 1 }, meta: m })
        .thenThrows(IllegalStateError, 'order-finished');
    });
  });

  describe('lifecycle', () => {
    it('releases a planned order and readies its first operation', () =>
      order
        .given([planned])
        .when({ type: 'ReleaseOrder', data: { orderId: O }, meta: m })
        .then(released.slice(1)));
    it('refuses to release without a routing, twice, or an order that does not exist', () => {
      const noRouting: OrderEvent = {
        type: 'OrderPlanned',
        data: { orderId: O, spec: spec({ routing: undefined }), plannedAt: NOW },
      };
      order
        .given([noRouting])
        .when({ type: 'ReleaseOrder', data: { orderId: O }, meta: m })
        .thenThrows(IllegalStateError, 'routing-required');
      order
        .given(released)
        .when({ type: 'ReleaseOrder', data: { orderId: O }, meta: m })
        .thenThrows(IllegalStateError, 'order-not-planned');
      order
        .given([])
        .when({ type: 'ReleaseOrder', data: { orderId: O }, meta: m })
        .thenThrows(NotFoundError);
    });
    it('holds an order, naming its queued operations, and resumes it re-queueing them', () => {
      order
        .given(released)
        .when({ type: 'HoldOrder', data: { orderId: O, reason: 'material shortage' }, meta: m })
        .then([
          {
            type: 'OrderHeld',
            data: { orderId: O, reason: 'material shortage', queued: [{ operationId: '010', workCenter: 'WC-TURN' }] },
          },
        ]);
      const held: OrderEvent[] = [...released, { type: 'OrderHeld', data: { orderId: O, reason: 'x', queued: [] } }];
      order
        .given(held)
        .when({ type: 'ResumeOrder', data: { orderId: O }, meta: m })
        .then([{ type: 'OrderResumed', data: { orderId: O } }, released[2] as OrderEvent]);
    });
    it('refuses work on an order on hold, a second hold, and resuming one that is not held', () => {
      const held: OrderEvent[] = [...released, { type: 'OrderHeld', data: { orderId: O, reason: 'x', queued: [] } }];
      order
        .given(held)
        .when({ type: 'StartOperation', data: { orderId: O, operationId: '010' }, meta: m })
        .thenThrows(IllegalStateError, 'order-on-hold');
      order
        .given(held)
        .when({ type: 'HoldOrder', data: { orderId: O, reason: 'y' }, meta: m })
        .thenThrows(IllegalStateError, 'order-on-hold');
      order
        .given(released)
        .when({ type: 'ResumeOrder', data: { orderId: O }, meta: m })
        .thenThrows(IllegalStateError, 'order-not-on-hold');
    });
    it('reprioritises, naming queued operations; the same priority writes nothing', () => {
      order
        .given(released)
        .when({ type: 'ReprioritiseOrder', data: { orderId: O, priority: 1 }, meta: m })
        .then([
          {
            type: 'OrderReprioritised',
            data: { orderId: O, priority: 1, previous: 3, queued: [{ operationId: '010', workCenter: 'WC-TURN' }] },
          },
        ]);
      order
        .given(released)
        .when({ type: 'ReprioritiseOrder', data: { orderId: O, priority: 3 }, meta: m })
        .then([]);
    });
    it('cancels an order in progress but never a completed one', () => {
      order
        .given([...released, started()])
        .when({ type: 'CancelOrder', data: { orderId: O, reason: 'customer withdrew' }, meta: m })
        .then([{ type: 'OrderCancelled', data: { orderId: O, reason: 'customer withdrew', queued: [] } }]);
      const done = [
        ...released,
        {
          type: 'OrderCompleted',
          data: { orderId: O, product: 'MOTOR-5KW', good: 10, scrap: 0, completedAt: NOW },
        } as OrderEvent,
      ];
      order
        .given(done)
        .when({ type: 'CancelOrder', data: { orderId: O, reason: 'late' }, meta: m })
        .thenThrows(IllegalStateError, 'order-completed');
    });
    it('closes only a completed order', () => {
      order
        .given(released)
        .when({ type: 'CloseOrder', data: { orderId: O }, meta: m })
        .thenThrows(IllegalStateError, 'order-not-completed');
      const done = [
        ...released,
        {
          type: 'OrderCompleted',
          data: { orderId: O, product: 'MOTOR-5KW', good: 10, scrap: 0, completedAt: NOW },
        } as OrderEvent,
      ];
      order
        .given(done)
        .when({ type: 'CloseOrder', data: { orderId: O }, meta: m })
        .then([{ type: 'OrderClosed', data: { orderId: O, closedAt: NOW } }]);
    });
  });

  describe('operations', () => {
    it('starts a ready operation, and refuses one whose predecessor has not completed', () => {
      order
        .given(released)
        .when({ type: 'StartOperation', data: { orderId: O, operationId: '010' }, meta: m })
        .then([started()]);
      order
        .given(released)
        .when({ type: 'StartOperation', data: { orderId: O, operationId: '020' }, meta: m })
        .thenThrows(IllegalStateError, 'previous-operation-not-done');
      order
        .given([...released, started()])
        .when({ type: 'StartOperation', data: { orderId: O, operationId: '010' }, meta: m })
        .thenThrows(IllegalStateError, 'operation-running');
      order
        .given(released)
        .when({ type: 'StartOperation', data: { orderId: O, operationId: '999' }, meta: m })
        .thenThrows(IllegalStateError, 'unknown-operation');
    });
    it('with overlap, readies the next operation when one starts', () => {
      const overlapping: OrderEvent = {
        type: 'OrderPlanned',
        data: { orderId: O, spec: spec({ routing: { ...spec().routing!, overlap: true } }), plannedAt: NOW },
      };
      const events = order
        .given([overlapping, ...released.slice(1)])
        .when({ type: 'StartOperation', data: { orderId: O, operationId: '010' }, meta: m })
        .events();
      expect(events.map((e) => e.type)).to.deep.equal(['OperationStarted', 'OperationReady']);
    });
    it('pauses and resumes, refusing the wrong way round', () => {
      order
        .given([...released, started()])
        .when({ type: 'PauseOperation', data: { orderId: O, operationId: '010', reason: 'break' }, meta: m })
        .then([{ type: 'OperationPaused', data: { orderId: O, operationId: '010', reason: 'break', pausedAt: NOW } }]);
      order
        .given([...released, started()])
        .when({ type: 'ResumeOperation', data: { orderId: O, operationId: '010' }, meta: m })
        .thenThrows(IllegalStateError, 'operation-running');
    });
    it('reports good, scrap with a reason, and rework', () =>
      order
        .given([...released, started()])
        .when({
          type: 'ReportQuantity',
          data: { orderId: O, operationId: '010', good: 8, scrap: 1, scrapReason: 'CHIP', rework: 1 },
          meta: m,
        })
        .then([
          {
            type: 'OperationQuantityReported',
            data: {
              orderId: O,
              operationId: '010',
              workCenter: 'WC-TURN',
              good: 8,
              scrap: 1,
              scrapReason: 'CHIP',
              rework: 1,
              reportedAt: NOW,
            },
          },
        ]));
    it('refuses scrap without a reason and a report of nothing', () => {
      order
        .given([...released, started()])
        .when({
          type: 'ReportQuantity',
          data: { orderId: O, operationId: '010', good: 0, scrap: 1, rework: 0 },
          meta: m,
        })
        .thenThrows(ValidationError);
      order
        .given([...released, started()])
        .when({
          type: 'ReportQuantity',
          data: { orderId: O, operationId: '010', good: 0, scrap: 0, rework: 0 },
          meta: m,
        })
        .thenThrows(ValidationError);
    });
    it('refuses more good units than the previous operation delivered, within the overrun tolerance', () => {
      const secondStarted = [
        ...firstDone.slice(0, 4),
        completed('010', 6, 'WC-TURN', false),
        ready020,
        started('020', 'WC-WIND'),
      ];
      const lowFirst = [...released, started(), reported('010', 6), ...secondStarted.slice(4)];
      order
        .given(lowFirst)
        .when({
          type: 'ReportQuantity',
          data: { orderId: O, operationId: '020', good: 7, scrap: 0, rework: 0 },
          meta: m,
        })
        .thenThrows(IllegalStateError, 'good-exceeds-delivered');
      order
        .given(lowFirst)
        .when({
          type: 'ReportQuantity',
          data: { orderId: O, operationId: '020', good: 6, scrap: 0, rework: 0 },
          meta: m,
        })
        .events();
      order
        .given([...released, started()])
        .when({
          type: 'ReportQuantity',
          data: { orderId: O, operationId: '010', good: 11, scrap: 0, rework: 0 },
          meta: m,
        })
        .thenThrows(IllegalStateError, 'good-exceeds-delivered');
      const tolerant: OrderEvent = {
        type: 'OrderPlanned',
        data: { orderId: O, spec: spec({ overrunTolerance: 0.1 }), plannedAt: NOW },
      };
      const events = order
        .given([tolerant, ...released.slice(1), started()])
        .when({
          type: 'ReportQuantity',
          data: { orderId: O, operationId: '010', good: 11, scrap: 0, rework: 0 },
          meta: m,
        })
        .events();
      expect(events[0]?.data).to.include({ good: 11 });
    });
    it('completes an operation and readies the next', () =>
      order
        .given([...released, started(), reported('010', 10)])
        .when({ type: 'CompleteOperation', data: { orderId: O, operationId: '010' }, meta: m })
        .then([completed('010', 10, 'WC-TURN', false), ready020]));
  });

  describe('completion and the quality loop', () => {
    const lastRunning = [...firstDone, started('020', 'WC-WIND'), reported('020', 10, 'WC-WIND')];
    it('opens the routing’s inspection when the operation completes, so the order waits for it', () => {
      const events = order
        .given(lastRunning)
        .when({ type: 'CompleteOperation', data: { orderId: O, operationId: '020' }, meta: m })
        .events();
      expect(events.map((e) => e.type)).to.deep.equal(['OperationCompleted', 'QualityLoopOpened']);
      expect(events[1]?.data).to.deep.include({ loopId: 'PO-1.020.1', kind: 'inspection', reason: 'routing' });
    });
    it('completes the order when its last open loop closes', () => {
      const waiting = [
        ...lastRunning,
        completed('020', 10, 'WC-WIND', true),
        {
          type: 'QualityLoopOpened',
          data: { orderId: O, loopId: 'PO-1.020.1', kind: 'inspection', operationId: '020', reason: 'routing' },
        } as OrderEvent,
      ];
      order
        .given(waiting)
        .when({ type: 'CloseQualityLoop', data: { orderId: O, loopId: 'PO-1.020.1' }, meta: m })
        .then([
          { type: 'QualityLoopClosed', data: { orderId: O, loopId: 'PO-1.020.1' } },
          { type: 'OrderCompleted', data: { orderId: O, product: 'MOTOR-5KW', good: 10, scrap: 0, completedAt: NOW } },
        ]);
    });
    it('does not complete while another loop is open, and opening or closing twice writes nothing', () => {
      const twoLoops = [
        ...lastRunning,
        completed('020', 10, 'WC-WIND', true),
        {
          type: 'QualityLoopOpened',
          data: { orderId: O, loopId: 'A', kind: 'inspection', reason: 'tracked' },
        } as OrderEvent,
        {
          type: 'QualityLoopOpened',
          data: { orderId: O, loopId: 'B', kind: 'nonconformance', reason: 'tracked' },
        } as OrderEvent,
      ];
      order
        .given(twoLoops)
        .when({ type: 'CloseQualityLoop', data: { orderId: O, loopId: 'A' }, meta: m })
        .then([{ type: 'QualityLoopClosed', data: { orderId: O, loopId: 'A' } }]);
      order
        .given(twoLoops)
        .when({ type: 'OpenQualityLoop', data: { orderId: O, loopId: 'A', kind: 'inspection' }, meta: m })
        .then([]);
      order
        .given(twoLoops)
        .when({ type: 'CloseQualityLoop', data: { orderId: O, loopId: 'Z' }, meta: m })
        .then([]);
    });
  });
});
