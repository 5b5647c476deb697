import type { Document } from '../../app/readStore';
import type { Projection } from '../runner';
import { localDate } from '../../lib/time';

const hours = (minutes: number): number => Math.round((minutes / 60) * 10_000) / 10_000;

/** Labour: every clocking (for payroll), hours per operator per day (of the clock-in) and per order. */
export const labourProjection = (timeZone: string): Projection => ({
  name: 'labour',
  version: 1,
  collections: {
    clockings: { indexes: ['operatorId', 'day', 'orderId'] },
    operatorDays: { indexes: ['day', 'operatorId'] },
    orders: {},
  },
  eventTypes: ['OperatorClockedOut'],
  async apply(event, ctx) {
    if (event.type !== 'OperatorClockedOut') return;
    const d = event.data;
    const day = localDate(d.startedAt, timeZone);
    await ctx.update('clockings', event.id, () => ({ _id: event.id, ...d, day, hours: hours(d.minutes) }));
    await ctx.update('operatorDays', `${d.operatorId}|${day}`, (doc) => {
      const next: Document = doc ?? { _id: '', operatorId: d.operatorId, day, minutes: 0 };
      next['minutes'] = (next['minutes'] as number) + d.minutes;
      next['hours'] = hours(next['minutes'] as number);
      return next;
    });
    await ctx.update('orders', d.orderId, (doc) => {
      const next: Document = doc ?? { _id: '', orderId: d.orderId, minutes: 0, minutesByOperator: {} };
      const byOperator = next['minutesByOperator'] as Record<string, number>;
      byOperator[d.operatorId] = (byOperator[d.operatorId] ?? 0) + d.minutes;
      next['minutes'] = (next['minutes'] as number) + d.minutes;
      next['hours'] = hours(next['minutes'] as number);
      return next;
    });
  },
});
