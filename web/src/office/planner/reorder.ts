/** A queue entry as GET /api/wip/work-centers/:workCenter gives it (in the order of its dispatch rule). */
export type QueueEntry = {
  orderId: string;
  operationId: string;
  priority: number;
  dueDate: string;
  releasedAt: string;
  plannedMinutes: number;
  quantity?: number;
  criticalRatio?: number | null;
};

// the backbone's rules (src/domain/dispatch/rules.ts), read here to know where a priority puts an order
const byPriorityDue = (a: QueueEntry, b: QueueEntry): number =>
  a.priority - b.priority ||
  Date.parse(a.dueDate) - Date.parse(b.dueDate) ||
  Date.parse(a.releasedAt) - Date.parse(b.releasedAt) ||
  a.orderId.localeCompare(b.orderId) ||
  a.operationId.localeCompare(b.operationId);
const byRatio = (a: QueueEntry, b: QueueEntry): number => {
  const [x, y] = [a.criticalRatio ?? null, b.criticalRatio ?? null];
  if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0);
  return x - y;
};
const rank = (queue: QueueEntry[], rule: string): QueueEntry[] =>
  [...queue].sort(rule === 'critical-ratio' ? (a, b) => byRatio(a, b) || byPriorityDue(a, b) : byPriorityDue);

/**
 * The customer priority (1 to 9) that puts the entry at `from` nearest to position `to` under the work
 * center's rule (every queued operation of its order takes it), the smallest change among equals;
 * `undefined` when no priority moves it at all.
 */
export const priorityForMove = (
  queue: readonly QueueEntry[],
  from: number,
  to: number,
  rule: string,
): number | undefined => {
  const moved = queue[from];
  if (!moved || from === to) return undefined;
  let best: { priority: number; distance: number } | undefined;
  for (let priority = 1; priority <= 9; priority += 1) {
    const tried = queue.map((e) => (e.orderId === moved.orderId ? { ...e, priority } : e));
    const at = rank(tried, rule).findIndex((e) => e.orderId === moved.orderId && e.operationId === moved.operationId);
    const distance = Math.abs(at - to) * 10 + Math.abs(priority - moved.priority);
    if (!best || distance < best.distance) best = { priority, distance };
  }
  return best && best.priority !== moved.priority ? best.priority : undefined;
};
