import type * as Schema from '../generated';
import type { QueueEntry } from './index';

/**
 * How a work center orders its queue. `priority-due-date` (the default): customer priority (1 first),
 * then due date, then release time. `critical-ratio`: the smallest critical ratio first (the most
 * behind its due date for the work it has left), priority breaking ties, then as the default.
 */
export type DispatchRule = NonNullable<Schema.MasterDataWorkCenterRecord['dispatchRule']>;
export const dispatchRules = ['priority-due-date', 'critical-ratio'] as const satisfies readonly DispatchRule[];
export const DEFAULT_DISPATCH_RULE: DispatchRule = 'priority-due-date';

export const isDispatchRule = (value: unknown): value is DispatchRule =>
  typeof value === 'string' && (dispatchRules as readonly string[]).includes(value);

/**
 * The default rule: customer priority (1 first), then due date (earliest instant first), then release
 * time (earliest first); order and operation ids break the last ties so the order is total.
 */
export const dispatchOrder = (a: QueueEntry, b: QueueEntry): number =>
  a.priority - b.priority ||
  Date.parse(a.dueDate) - Date.parse(b.dueDate) ||
  Date.parse(a.releasedAt) - Date.parse(b.releasedAt) ||
  a.orderId.localeCompare(b.orderId) ||
  a.operationId.localeCompare(b.operationId);

/**
 * Critical ratio = time to the due date / remaining standard time of the order, both in minutes.
 * Below 1 the order is behind (negative: already past due); above 1 it has slack. Without remaining
 * standard time there is no ratio (null).
 */
export const criticalRatio = (dueDate: string, remainingMinutes: number, now: string): number | null =>
  remainingMinutes > 0 ? (Date.parse(dueDate) - Date.parse(now)) / 60_000 / remainingMinutes : null;

/** A queue entry with what the critical ratio needs and what it came to. */
export type RankedEntry = QueueEntry & { remainingMinutes: number; criticalRatio: number | null };

/** Smallest ratio first; entries without a ratio after every entry with one. */
const byRatio = (a: RankedEntry, b: RankedEntry): number => {
  if (a.criticalRatio === null || b.criticalRatio === null)
    return (a.criticalRatio === null ? 1 : 0) - (b.criticalRatio === null ? 1 : 0);
  return a.criticalRatio - b.criticalRatio;
};

/**
 * A queue in the order of a rule at `now`. `remainingMinutes` gives each entry's order remaining
 * standard minutes (its operations not yet completed); the entry's own planned minutes when unknown.
 */
export const rankQueue = (
  entries: readonly QueueEntry[],
  rule: DispatchRule,
  now: string,
  remainingMinutes: (entry: QueueEntry) => number | undefined = () => undefined,
): RankedEntry[] => {
  const ranked = entries.map((entry): RankedEntry => {
    const remaining = remainingMinutes(entry) ?? entry.plannedMinutes;
    return { ...entry, remainingMinutes: remaining, criticalRatio: criticalRatio(entry.dueDate, remaining, now) };
  });
  switch (rule) {
    case 'priority-due-date':
      return ranked.sort(dispatchOrder);
    case 'critical-ratio':
      return ranked.sort((a, b) => byRatio(a, b) || dispatchOrder(a, b));
  }
};
