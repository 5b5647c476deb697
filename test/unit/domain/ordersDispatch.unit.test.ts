import { expect } from 'chai';
import type { Directive } from '../../../src/domain/aggregates';
import { criticalRatio, dispatchDecider, rankQueue, type QueueEntry } from '../../../src/domain/dispatch';
import { fold } from '../../../src/domain/messages';
import { orderDecider, type OrderEvent, type OrderSpec } from '../../../src/domain/order';
import {
  clockOuts,
  dispatch,
  emptyClockings,
  evolveClockings,
  type ClockingsView,
  type Trigger,
} from '../../../src/domain/processes';
import { canonicalJson } from '../../../src/lib/canonicalJson';
import { operation, orderSpec } from '../../support/fixtures';
import { meta, specFor } from '../../support/given';

const NOW = '2026-11-25T08:00:00.000Z';
const entry = (orderId: string, priority: number, dueDate: string, plannedMinutes: number): QueueEntry => ({
  orderId,
  operationId: '010',
  product: 'P',
  quantity: 10,
  priority,
  dueDate,
  releasedAt: '2026-11-25T06:00:00.000Z',
  plannedMinutes,
});

describe('dispatch rules', () => {
  // at 08:00Z: time to due (min) / remaining standard minutes = critical ratio
  const queue = [
    entry('A', 1, '2026-11-26T08:00:00Z', 720), // 1440 / 720 = 2
    entry('B', 3, '2026-11-25T20:00:00+08:00', 480), // 12:00Z: 240 / 480 = 0.5
    entry('C', 2, '2026-11-25T02:00:00-05:00', 120), // 07:00Z: -60 / 120 = -0.5 (past due)
    entry('D', 2, '2026-11-25T16:00:00Z', 480), // 480 / 960 (two operations left) = 0.5
  ];
  const remaining = (e: QueueEntry) => (e.orderId === 'D' ? 960 : undefined);

  it('computes the critical ratio as time to the due date over remaining standard time', () => {
    expect(criticalRatio('2026-11-26T08:00:00Z', 720, NOW)).to.equal(2);
    expect(criticalRatio('2026-11-25T20:00:00+08:00', 480, NOW)).to.equal(0.5);
    expect(criticalRatio('2026-11-25T02:00:00-05:00', 120, NOW)).to.equal(-0.5);
    expect(criticalRatio('2026-11-25T16:00:00Z', 0, NOW), 'no work left: no ratio').to.equal(null);
  });
  it('orders by priority then due date by default, and by critical ratio with priority breaking ties', () => {
    const ids = (rule: 'priority-due-date' | 'critical-ratio') =>
      rankQueue(queue, rule, NOW, remaining).map((e) => `${e.orderId}:${e.criticalRatio}`);
    expect(ids('priority-due-date')).to.deep.equal(['A:2', 'C:-0.5', 'D:0.5', 'B:0.5']);
    // B and D both 0.5: D has priority 2, B priority 3
    expect(ids('critical-ratio')).to.deep.equal(['C:-0.5', 'D:0.5', 'B:0.5', 'A:2']);
  });
  it('puts entries without a ratio after those with one', () => {
    const ranked = rankQueue([entry('Z', 1, NOW, 0), entry('Y', 9, NOW, 60)], 'critical-ratio', NOW);
    expect(ranked.map((e) => e.orderId)).to.deep.equal(['Y', 'Z']);
  });
});

describe('order revision', () => {
  const order = specFor(orderDecider);
  const spec = orderSpec({}, [operation('010', { workCenter: 'WC-1' }), operation('020', { workCenter: 'WC-2' })]);
  // stored events come back as canonical JSON: their members in sorted order
  const stored = JSON.parse(canonicalJson(spec)) as OrderSpec;
  const released: OrderEvent[] = [
    { type: 'OrderPlanned', data: { orderId: 'PO-1', spec: stored, plannedAt: NOW } },
    { type: 'OrderReleased', data: { orderId: 'PO-1', releasedAt: NOW } },
    {
      type: 'OperationReady',
      data: {
        orderId: 'PO-1',
        operationId: '010',
        workCenter: 'WC-1',
        product: spec.product,
        quantity: spec.quantity,
        priority: spec.priority,
        dueDate: spec.dueDate,
        releasedAt: NOW,
        plannedMinutes: 105,
      },
    },
  ];
  it('compares canonical forms: a priority-only revision of a stored released order is accepted', () => {
    expect(JSON.stringify(stored.routing)).not.to.equal(JSON.stringify(spec.routing)); // the finding's premise
    order
      .given(released)
      .when({ type: 'ReviseOrder', data: { orderId: 'PO-1', spec: { ...spec, priority: 1 } }, meta: meta() })
      .then([
        {
          type: 'OrderRevised',
          data: {
            orderId: 'PO-1',
            spec: { ...spec, priority: 1 },
            revision: 1,
            queued: [{ operationId: '010', workCenter: 'WC-1' }],
          },
        },
      ]);
    order
      .given(released)
      .when({ type: 'ReviseOrder', data: { orderId: 'PO-1', spec }, meta: meta() })
      .then([]);
  });
});

describe('rework operations in the queues', () => {
  const order = specFor(orderDecider);
  const spec = orderSpec({}, [operation('010', { workCenter: 'WC-1', standardMinutesPerUnit: 2 })]);
  const readyOf = (operationId: string, quantity: number, plannedMinutes: number): OrderEvent => ({
    type: 'OperationReady',
    data: {
      orderId: 'PO-1',
      operationId,
      workCenter: 'WC-1',
      product: spec.product,
      quantity,
      priority: spec.priority,
      dueDate: spec.dueDate,
      releasedAt: NOW,
      plannedMinutes,
    },
  });
  const added: OrderEvent = {
    type: 'ReworkOperationAdded',
    data: {
      orderId: 'PO-1',
      operationId: '010-RW1',
      reworkOf: '010',
      nonconformanceId: 'NC-1',
      workCenter: 'WC-1',
      quantity: 4,
      plannedMinutes: 8,
    },
  };
  const first = readyOf('010', spec.quantity, 205);
  const base: OrderEvent[] = [
    { type: 'OrderPlanned', data: { orderId: 'PO-1', spec, plannedAt: NOW } },
    { type: 'OrderReleased', data: { orderId: 'PO-1', releasedAt: NOW } },
    first,
  ];
  const rework = {
    type: 'AddReworkOperation' as const,
    data: { orderId: 'PO-1', operationId: '010', nonconformanceId: 'NC-1', quantity: 4 },
    meta: meta(),
  };

  it('takes a queued rework operation out of its queue on hold, cancel and reprioritisation', () => {
    const queued = [...base, added, readyOf('010-RW1', 4, 8)];
    const inQueue = [
      { operationId: '010', workCenter: 'WC-1' },
      { operationId: '010-RW1', workCenter: 'WC-1' },
    ];
    order
      .given(queued)
      .when({ type: 'HoldOrder', data: { orderId: 'PO-1', reason: 'customer call' }, meta: meta() })
      .then([{ type: 'OrderHeld', data: { orderId: 'PO-1', reason: 'customer call', queued: inQueue } }]);
    order
      .given(queued)
      .when({ type: 'CancelOrder', data: { orderId: 'PO-1', reason: 'customer cancelled' }, meta: meta() })
      .then([{ type: 'OrderCancelled', data: { orderId: 'PO-1', reason: 'customer cancelled', queued: inQueue } }]);
    order
      .given(queued)
      .when({ type: 'ReprioritiseOrder', data: { orderId: 'PO-1', priority: 1 }, meta: meta() })
      .then([
        {
          type: 'OrderReprioritised',
          data: { orderId: 'PO-1', priority: 1, previous: spec.priority, queued: inQueue },
        },
      ]);
  });

  it('queues a rework added while its order is held only when the order resumes, as it does a held one', () => {
    const held: OrderEvent[] = [
      ...base,
      {
        type: 'OrderHeld',
        data: { orderId: 'PO-1', reason: 'wait', queued: [{ operationId: '010', workCenter: 'WC-1' }] },
      },
    ];
    order.given(held).when(rework).then([added]);
    order
      .given([...held, added])
      .when({ type: 'ResumeOrder', data: { orderId: 'PO-1' }, meta: meta() })
      .then([{ type: 'OrderResumed', data: { orderId: 'PO-1' } }, first, readyOf('010-RW1', 4, 8)]);
    // not held: the rework is queued at once
    order
      .given(base)
      .when(rework)
      .then([added, readyOf('010-RW1', 4, 8)]);
  });
});

describe('process manager: dispatch on a revision', () => {
  it('revises each queued operation with the new priority, due date, quantity and planned minutes', () => {
    const spec = orderSpec({ quantity: 20, priority: 1, dueDate: '2026-11-28T00:00:00+08:00' }, [
      operation('010', { workCenter: 'WC-1', setupMinutes: 15, standardMinutesPerUnit: 3 }),
    ]);
    const directives = dispatch({
      type: 'OrderRevised',
      data: { orderId: 'PO-1', spec, revision: 2, queued: [{ operationId: '010', workCenter: 'WC-1' }] },
      occurredAt: NOW,
    });
    expect(directives.map((d) => [d.aggregate, d.id, d.command.type, d.command.data])).to.deep.equal([
      [
        'workcenter',
        'WC-1',
        'ReviseQueued',
        {
          workCenter: 'WC-1',
          orderId: 'PO-1',
          operationId: '010',
          priority: 1,
          dueDate: '2026-11-28T00:00:00+08:00',
          quantity: 20,
          plannedMinutes: 75, // 15 + 20 x 3
        },
      ],
    ]);
    // a revision with nothing queued (a planned order) moves nothing
    expect(
      dispatch({ type: 'OrderRevised', data: { orderId: 'PO-1', spec, revision: 1 }, occurredAt: NOW }),
    ).to.deep.equal([]);
  });
  it('reorders the queue by the revised priority and due date; the same revision again writes nothing', () => {
    const queue = specFor(dispatchDecider);
    const joined = [
      { type: 'OperationQueued' as const, data: { workCenter: 'WC', ...entry('A', 3, '2026-12-01T00:00:00Z', 60) } },
      { type: 'OperationQueued' as const, data: { workCenter: 'WC', ...entry('B', 3, '2026-12-02T00:00:00Z', 60) } },
    ];
    const revise = {
      workCenter: 'WC',
      orderId: 'B',
      operationId: '010',
      priority: 3,
      dueDate: '2026-11-30T00:00:00Z',
      quantity: 10,
      plannedMinutes: 60,
    };
    const events = queue.given(joined).when({ type: 'ReviseQueued', data: revise, meta: meta() }).events();
    expect(events.map((e) => e.type)).to.deep.equal(['QueuedOperationRevised']);
    expect(fold(dispatchDecider, [...joined, ...events]).entries.map((e) => e.orderId)).to.deep.equal(['B', 'A']);
    queue
      .given([...joined, ...events])
      .when({ type: 'ReviseQueued', data: revise, meta: meta() })
      .then([]);
  });
});

describe('process manager: clock-outs', () => {
  const at = '2026-11-25T10:00:00.000Z';
  const clockedIn = (operatorId: string, orderId: string, operationId: string, since: string): Trigger => ({
    type: 'OperatorClockedIn',
    data: { operatorId, orderId, operationId, at: since },
    occurredAt: since,
  });
  const view: ClockingsView = [
    clockedIn('op-1', 'PO-1', '010', '2026-11-25T08:00:00.000Z'),
    clockedIn('op-2', 'PO-1', '010', '2026-11-25T08:30:00.000Z'),
    clockedIn('op-3', 'PO-1', '020', '2026-11-25T10:30:00.000Z'), // a PDA clock ahead of the server
    clockedIn('op-4', 'PO-2', '010', '2026-11-25T08:00:00.000Z'),
  ].reduce(evolveClockings, emptyClockings);
  const outs = (directives: Directive[]) =>
    directives.map((d) =>
      d.command.type === 'ClockOut' ? `${d.id} ${d.command.data.operationId} ${d.command.data.at}` : '',
    );

  it('clocks out everyone on a held or cancelled order, at the event’s time and never before the clock-in', () => {
    for (const type of ['OrderHeld', 'OrderCancelled'] as const) {
      const directives = clockOuts({ type, data: { orderId: 'PO-1', reason: 'r', queued: [] }, occurredAt: at }, view);
      expect(outs(directives), type).to.deep.equal([
        'op-1 010 2026-11-25T10:00:00.000Z',
        'op-2 010 2026-11-25T10:00:00.000Z',
        'op-3 020 2026-11-25T10:30:00.000Z',
      ]);
      expect(directives[0]?.command.meta).to.deep.equal({ now: at, actor: 'process:clock-out' });
    }
  });
  it('clocks out the others still on an operation someone completed', () => {
    const completed: Trigger = {
      type: 'OperationCompleted',
      data: {
        orderId: 'PO-1',
        operationId: '010',
        workCenter: 'WC-1',
        good: 10,
        scrap: 0,
        rework: 0,
        startedAt: '2026-11-25T08:00:00.000Z',
        completedAt: at,
        last: false,
      },
      occurredAt: at,
      actor: 'op-2',
    };
    expect(outs(clockOuts(completed, view))).to.deep.equal(['op-1 010 2026-11-25T10:00:00.000Z']);
  });
  it('forgets a clocking once it is clocked out', () => {
    const after = evolveClockings(view, {
      type: 'OperatorClockedOut',
      data: {
        operatorId: 'op-4',
        orderId: 'PO-2',
        operationId: '010',
        startedAt: '2026-11-25T08:00:00.000Z',
        endedAt: at,
        minutes: 120,
      },
      occurredAt: at,
    });
    expect(after['PO-2']).to.equal(undefined);
    expect(Object.keys(after)).to.deep.equal(['PO-1']);
  });
});
