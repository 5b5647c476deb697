import { expect } from 'chai';
import { ganttOf, type GanttOrder } from '../../../src/projections/plannerGantt';

const NOW = Date.parse('2026-11-30T08:00:00Z');
const FROM = NOW - 12 * 3_600_000;
const order = (orderId: string, operations: GanttOrder['operations']): GanttOrder => ({
  orderId,
  product: 'SHAFT-20',
  productName: '轴 20',
  operations,
});

describe('Planner Gantt: run and planned operations of a work center', () => {
  it('draws completed operations on their machines, running ones to their planned end, and the queue on the machine free first', () => {
    const gantt = ganttOf(
      {
        workCenter: 'WC-TURN',
        queue: [
          { orderId: 'C', operationId: '010', plannedMinutes: 60 },
          { orderId: 'D', operationId: '010', plannedMinutes: 30 },
          { orderId: 'E', operationId: '010', plannedMinutes: 30 },
        ],
        running: [
          {
            orderId: 'B',
            operationId: '010',
            plannedMinutes: 120,
            startedAt: '2026-11-30T07:00:00Z',
            machineId: 'M-2',
          },
        ],
      },
      [
        order('A', [
          {
            operationId: '010',
            workCenter: 'WC-TURN',
            status: 'completed',
            startedAt: '2026-11-30T05:00:00Z',
            completedAt: '2026-11-30T06:00:00Z',
            machineId: 'M-1',
          },
          {
            operationId: '020',
            workCenter: 'WC-MILL',
            status: 'completed',
            startedAt: '2026-11-30T06:00:00Z',
            completedAt: '2026-11-30T07:00:00Z',
            machineId: 'M-9',
          },
        ]),
        order('OLD', [
          {
            operationId: '010',
            workCenter: 'WC-TURN',
            status: 'completed',
            startedAt: '2026-11-29T05:00:00Z',
            completedAt: '2026-11-29T06:00:00Z',
            machineId: 'M-3',
          },
        ]),
        order('B', [{ operationId: '010', workCenter: 'WC-TURN', status: 'running' }]),
      ],
      FROM,
      NOW,
    );
    expect(gantt.lanes).to.deep.equal(['M-1', 'M-2']);
    const brief = gantt.bars.map(
      (b) => `${b.kind} ${b.orderId} ${b.lane} ${b.start.slice(11, 16)}-${b.end.slice(11, 16)}`,
    );
    expect(brief).to.deep.equal([
      'done A M-1 05:00-06:00',
      'running B M-2 07:00-09:00',
      // M-1 is free now, M-2 at 09:00: C on M-1 until 09:00, then D on M-1 (free first at 09:00, listed first), E on M-2
      'planned C M-1 08:00-09:00',
      'planned D M-1 09:00-09:30',
      'planned E M-2 09:00-09:30',
    ]);
    expect(gantt.bars[0]).to.include({ product: 'SHAFT-20', productName: '轴 20', operationId: '010' });
  });

  it('plans a queue on the work center’s own lane when no machine has run there', () => {
    const gantt = ganttOf(
      { workCenter: 'WC-MILL', queue: [{ orderId: 'X', operationId: '020', plannedMinutes: 0 }], running: [] },
      [],
      FROM,
      NOW,
    );
    expect(gantt.lanes).to.deep.equal(['WC-MILL']);
    // an operation of no planned time still shows: one minute
    expect(gantt.bars).to.deep.equal([
      {
        kind: 'planned',
        orderId: 'X',
        operationId: '020',
        lane: 'WC-MILL',
        start: '2026-11-30T08:00:00.000Z',
        end: '2026-11-30T08:01:00.000Z',
      },
    ]);
  });
  it('lists the machines in natural order (M-2 before M-10)', () => {
    const run = (machineId: string) => ({
      orderId: machineId,
      operationId: '010',
      plannedMinutes: 10,
      startedAt: '2026-11-30T07:50:00Z',
      machineId,
    });
    const gantt = ganttOf({ workCenter: 'WC-TURN', queue: [], running: [run('M-10'), run('M-2')] }, [], FROM, NOW);
    expect(gantt.lanes).to.deep.equal(['M-2', 'M-10']);
  });
});
