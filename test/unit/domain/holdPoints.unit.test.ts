import { expect } from 'chai';
import { ForbiddenError, IllegalStateError, NotFoundError } from '../../../src/domain/errors';
import { fold } from '../../../src/domain/messages';
import { orderDecider, type OrderEvent, type OrderSpec } from '../../../src/domain/order';
import { meta, NOW, specFor } from '../../support/given';

/** Two operations; the first requires an inspection of its output, so it is a hold point for the second. */
const spec: OrderSpec = {
  product: 'SHAFT',
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
        inspectionRequired: true,
        characteristics: [{ name: 'diameter', kind: 'measured', lower: 9.9, upper: 10.1, unit: 'mm' }],
        materials: [],
      },
      {
        operationId: '020',
        code: 'GRIND',
        workCenter: 'WC-GRIND',
        standardMinutesPerUnit: 3,
        setupMinutes: 10,
        inspectionRequired: false,
        materials: [],
      },
    ],
  },
};
const O = 'PO-H';
const order = specFor(orderDecider);
const m = meta({ actor: 'op-1' });
const qa = meta({ actor: 'qa-1', roles: ['quality'] });

const history: OrderEvent[] = [
  { type: 'OrderPlanned', data: { orderId: O, spec, plannedAt: NOW } },
  { type: 'OrderReleased', data: { orderId: O, releasedAt: NOW } },
  {
    type: 'OperationReady',
    data: {
      orderId: O,
      operationId: '010',
      workCenter: 'WC-TURN',
      product: 'SHAFT',
      quantity: 10,
      priority: 3,
      dueDate: spec.dueDate,
      releasedAt: NOW,
      plannedMinutes: 35,
    },
  },
  { type: 'OperationStarted', data: { orderId: O, operationId: '010', workCenter: 'WC-TURN', startedAt: NOW } },
  {
    type: 'OperationQuantityReported',
    data: { orderId: O, operationId: '010', workCenter: 'WC-TURN', good: 10, scrap: 0, rework: 0, reportedAt: NOW },
  },
];
const readySecond: OrderEvent = {
  type: 'OperationReady',
  data: {
    orderId: O,
    operationId: '020',
    workCenter: 'WC-GRIND',
    product: 'SHAFT',
    quantity: 10,
    priority: 3,
    dueDate: spec.dueDate,
    releasedAt: NOW,
    plannedMinutes: 40,
  },
};

/** The events of completing 010 as the decider writes them today. */
const completeFirst = (): OrderEvent[] =>
  order
    .given(history)
    .when({ type: 'CompleteOperation', data: { orderId: O, operationId: '010' }, meta: m })
    .events();

describe('hold points', () => {
  it('an operation with a required inspection holds the next: it does not become ready and cannot start', () => {
    const events = completeFirst();
    expect(events.map((e) => e.type)).to.deep.equal(['OperationCompleted', 'QualityLoopOpened']);
    const afterCompletion = [...history, ...events];
    order
      .given(afterCompletion)
      .when({ type: 'StartOperation', data: { orderId: O, operationId: '020' }, meta: m })
      .thenThrows(IllegalStateError, 'inspection-hold');
  });

  it('the inspection passing ends the hold: the next operation becomes ready in the same decision', () => {
    const afterCompletion = [...history, ...completeFirst()];
    order
      .given(afterCompletion)
      .when({ type: 'CloseQualityLoop', data: { orderId: O, loopId: 'PO-H.010.1' }, meta: m })
      .then([{ type: 'QualityLoopClosed', data: { orderId: O, loopId: 'PO-H.010.1' } }, readySecond]);
  });

  it('a quality user releases the hold with a reason; the inspection stays open and the order cannot complete', () => {
    const afterCompletion = [...history, ...completeFirst()];
    order
      .given(afterCompletion)
      .when({ type: 'ReleaseHold', data: { orderId: O, holdId: 'PO-H.010.1', reason: 'x' }, meta: m })
      .thenThrows(ForbiddenError);
    order
      .given(afterCompletion)
      .when({ type: 'ReleaseHold', data: { orderId: O, holdId: 'NC-nothing', reason: 'x' }, meta: qa })
      .thenThrows(NotFoundError);
    const released = order
      .given(afterCompletion)
      .when({
        type: 'ReleaseHold',
        data: { orderId: O, holdId: 'PO-H.010.1', reason: 'customer accepts, lab result tomorrow' },
        meta: qa,
      })
      .events();
    expect(released).to.deep.equal([
      {
        type: 'HoldReleased',
        data: {
          orderId: O,
          holdId: 'PO-H.010.1',
          kind: 'inspection',
          operationId: '010',
          reason: 'customer accepts, lab result tomorrow',
          releasedBy: 'qa-1',
          releasedAt: NOW,
        },
      },
      readySecond,
    ]);
    const state = fold(orderDecider, [...afterCompletion, ...released]);
    expect(state).to.deep.include({ openLoops: ['PO-H.010.1'] });
    // a second release writes nothing
    order
      .given([...afterCompletion, ...released])
      .when({ type: 'ReleaseHold', data: { orderId: O, holdId: 'PO-H.010.1', reason: 'again' }, meta: qa })
      .then([]);
  });

  it('an open nonconformance on the operation holds the operations after it the same way', () => {
    const afterCompletion = [...history, ...completeFirst()];
    // the inspection failed: the loop mirrors the NC and closes the inspection's loop
    const failed: OrderEvent[] = [
      {
        type: 'QualityLoopOpened',
        data: { orderId: O, loopId: 'NC-PO-H.010.1', kind: 'nonconformance', operationId: '010', reason: 'tracked' },
      },
    ];
    const closeInspection = order
      .given([...afterCompletion, ...failed])
      .when({ type: 'CloseQualityLoop', data: { orderId: O, loopId: 'PO-H.010.1' }, meta: m })
      .events();
    expect(closeInspection, 'still held by the NC: nothing becomes ready').to.deep.equal([
      { type: 'QualityLoopClosed', data: { orderId: O, loopId: 'PO-H.010.1' } },
    ]);
    const held = [...afterCompletion, ...failed, ...closeInspection];
    order
      .given(held)
      .when({ type: 'StartOperation', data: { orderId: O, operationId: '020' }, meta: m })
      .thenThrows(IllegalStateError, 'nonconformance-hold');
    order
      .given(held)
      .when({ type: 'CloseQualityLoop', data: { orderId: O, loopId: 'NC-PO-H.010.1' }, meta: m })
      .then([{ type: 'QualityLoopClosed', data: { orderId: O, loopId: 'NC-PO-H.010.1' } }, readySecond]);
  });

  it('an NC that names no operation holds every operation not yet started, even a ready one', () => {
    const ncOnOrder: OrderEvent = {
      type: 'QualityLoopOpened',
      data: { orderId: O, loopId: 'NC-CUSTOMER-1', kind: 'nonconformance', reason: 'tracked' },
    };
    const events = [...history.slice(0, 3), ncOnOrder];
    order
      .given(events)
      .when({ type: 'StartOperation', data: { orderId: O, operationId: '010' }, meta: m })
      .thenThrows(IllegalStateError, 'nonconformance-hold');
  });

  it('an operator’s own inspection (not the routing’s) holds nothing until it fails', () => {
    const tracked: OrderEvent = {
      type: 'QualityLoopOpened',
      data: { orderId: O, loopId: 'I-OP-1', kind: 'inspection', operationId: '010', reason: 'tracked' },
    };
    const events = [...history.slice(0, 3), tracked];
    expect(
      order
        .given(events)
        .when({ type: 'StartOperation', data: { orderId: O, operationId: '010' }, meta: m })
        .events()[0]?.type,
    ).to.equal('OperationStarted');
  });
});

describe('an order held while its last quality loop closes', () => {
  it('completes when it resumes (nothing else would complete it)', () => {
    const last: OrderSpec = { ...spec, routing: { overlap: false, operations: [spec.routing!.operations[0]!] } };
    const start: OrderEvent[] = [
      { type: 'OrderPlanned', data: { orderId: O, spec: last, plannedAt: NOW } },
      ...history.slice(1),
    ];
    const completed = order
      .given(start)
      .when({ type: 'CompleteOperation', data: { orderId: O, operationId: '010' }, meta: m })
      .events();
    expect(completed.map((e) => e.type)).to.deep.equal(['OperationCompleted', 'QualityLoopOpened']);
    const held = [
      ...start,
      ...completed,
      { type: 'OrderHeld', data: { orderId: O, reason: 'audit', queued: [] } } as OrderEvent,
    ];
    const closed = order
      .given(held)
      .when({ type: 'CloseQualityLoop', data: { orderId: O, loopId: 'PO-H.010.1' }, meta: m })
      .events();
    expect(closed.map((e) => e.type)).to.deep.equal(['QualityLoopClosed']);
    const resumed = order
      .given([...held, ...closed])
      .when({ type: 'ResumeOrder', data: { orderId: O }, meta: m })
      .events();
    expect(resumed.map((e) => e.type)).to.deep.equal(['OrderResumed', 'OrderCompleted']);
  });
});
