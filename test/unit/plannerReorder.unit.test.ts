import { expect } from 'chai';
import { priorityForMove, type QueueEntry } from '../../web/src/office/planner/reorder';

const entry = (orderId: string, priority: number, due: string, criticalRatio: number | null = null): QueueEntry => ({
  orderId,
  operationId: '010',
  priority,
  dueDate: `2026-12-${due}T08:00:00Z`,
  releasedAt: '2026-11-30T08:00:00Z',
  plannedMinutes: 60,
  criticalRatio,
});

describe('Planner: the priority a dragged queue entry takes', () => {
  // A, B, C, D in priority-then-due-date order
  const queue = [entry('A', 2, '10'), entry('B', 4, '11'), entry('C', 6, '12'), entry('D', 8, '13')];

  it('moves an order to the front with a priority that passes the first one (its due date is later: one less)', () => {
    expect(priorityForMove(queue, 3, 0, 'priority-due-date')).to.equal(1);
  });

  it('moves an order between two others with the smallest change that lands it there', () => {
    // D between A and B: 4 ties with B, whose due date is earlier (D third); 3 and 2 both land it second, 3 is nearer 8
    expect(priorityForMove(queue, 3, 1, 'priority-due-date')).to.equal(3);
  });

  it('moves an order back with a higher number', () => {
    expect(priorityForMove(queue, 0, 3, 'priority-due-date')).to.equal(9);
  });

  it('says when no priority moves an order under the critical-ratio rule (the ratio decides)', () => {
    const ranked = [entry('A', 5, '10', 0.5), entry('B', 5, '11', 2)];
    expect(priorityForMove(ranked, 1, 0, 'critical-ratio')).to.equal(undefined);
    // equal ratios: the priority breaks the tie
    const tied = [entry('A', 5, '10', 1), entry('B', 5, '11', 1)];
    expect(priorityForMove(tied, 1, 0, 'critical-ratio')).to.equal(4);
  });
});
