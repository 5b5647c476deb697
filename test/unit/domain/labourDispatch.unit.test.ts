import { expect } from 'chai';
import { IllegalStateError, ValidationError } from '../../../src/domain/errors';
import { dispatchDecider, dispatchOrder, type QueueEntry } from '../../../src/domain/dispatch';
import { labourDecider, type LabourEvent } from '../../../src/domain/labour';
import { fold } from '../../../src/domain/messages';
import { meta, NOW, specFor } from '../../support/given';

const labour = specFor(labourDecider);
const m = meta();
const clockedIn: LabourEvent = {
  type: 'OperatorClockedIn',
  data: { operatorId: 'op-7', orderId: 'PO-1', operationId: '010', at: '2026-11-25T08:00:00.000Z' },
};

describe('labour', () => {
  it('clocks an operator in, and refuses clocking in twice to the same operation', () => {
    labour
      .given([])
      .when({
        type: 'ClockIn',
        data: { operatorId: 'op-7', orderId: 'PO-1', operationId: '010', at: '2026-11-25T08:00:00.000Z' },
        meta: m,
      })
      .then([clockedIn]);
    labour
      .given([clockedIn])
      .when({ type: 'ClockIn', data: { operatorId: 'op-7', orderId: 'PO-1', operationId: '010' }, meta: m })
      .thenThrows(IllegalStateError, 'already-clocked-in');
  });
  it('clocks out with what payroll needs: start, end and minutes', () =>
    labour
      .given([clockedIn])
      .when({
        type: 'ClockOut',
        data: { operatorId: 'op-7', orderId: 'PO-1', operationId: '010', at: '2026-11-25T10:30:00.000Z' },
        meta: m,
      })
      .then([
        {
          type: 'OperatorClockedOut',
          data: {
            operatorId: 'op-7',
            orderId: 'PO-1',
            operationId: '010',
            startedAt: '2026-11-25T08:00:00.000Z',
            endedAt: '2026-11-25T10:30:00.000Z',
            minutes: 150,
          },
        },
      ]));
  it('refuses a clock-out without a clock-in, or before it', () => {
    labour
      .given([])
      .when({ type: 'ClockOut', data: { operatorId: 'op-7', orderId: 'PO-1', operationId: '010' }, meta: m })
      .thenThrows(IllegalStateError, 'not-clocked-in');
    labour
      .given([clockedIn])
      .when({
        type: 'ClockOut',
        data: { operatorId: 'op-7', orderId: 'PO-1', operationId: '010', at: '2026-11-25T07:00:00.000Z' },
        meta: m,
      })
      .thenThrows(ValidationError);
  });
});

describe('dispatch queue', () => {
  const entry = (orderId: string, priority: number, dueDate: string, releasedAt = NOW): QueueEntry => ({
    orderId,
    operationId: '010',
    product: 'P',
    quantity: 1,
    priority,
    dueDate,
    releasedAt,
    plannedMinutes: 10,
  });
  it('orders by customer priority, then due date, then release time', () => {
    const entries = [
      entry('late-release', 2, '2026-12-01T00:00:00Z', '2026-11-25T09:00:00Z'),
      entry('low-priority', 5, '2026-11-26T00:00:00Z'),
      entry('later-due', 2, '2026-12-05T00:00:00Z'),
      entry('urgent', 1, '2026-12-09T00:00:00Z'),
      entry('early-release', 2, '2026-12-01T00:00:00Z', '2026-11-25T07:00:00Z'),
    ];
    expect([...entries].sort(dispatchOrder).map((e) => e.orderId)).to.deep.equal([
      'urgent',
      'early-release',
      'late-release',
      'later-due',
      'low-priority',
    ]);
  });
  it('keeps the queue in that order as operations join, leave and are reprioritised; repeats write nothing', () => {
    const queue = specFor(dispatchDecider);
    const a = { workCenter: 'WC', ...entry('A', 3, '2026-12-01T00:00:00Z') };
    const b = { workCenter: 'WC', ...entry('B', 3, '2026-11-30T00:00:00Z') };
    const joined = [
      { type: 'OperationQueued' as const, data: a },
      { type: 'OperationQueued' as const, data: b },
    ];
    expect(fold(dispatchDecider, joined).entries.map((e) => e.orderId)).to.deep.equal(['B', 'A']);
    const events = queue
      .given(joined)
      .when({
        type: 'ReprioritiseQueued',
        data: { workCenter: 'WC', orderId: 'A', operationId: '010', priority: 1 },
        meta: m,
      })
      .events();
    expect(fold(dispatchDecider, [...joined, ...events]).entries.map((e) => e.orderId)).to.deep.equal(['A', 'B']);
    queue.given(joined).when({ type: 'EnqueueOperation', data: a, meta: m }).then([]);
    queue
      .given([])
      .when({
        type: 'DequeueOperation',
        data: { workCenter: 'WC', orderId: 'A', operationId: '010', reason: 'started' },
        meta: m,
      })
      .then([]);
  });
});
