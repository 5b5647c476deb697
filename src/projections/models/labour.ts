import type { Document } from '../../app/readStore';
import { andThen, applyReading, UNREAD, type Projection } from '../runner';
import { localDate } from '../../lib/time';

const clockingId = (operatorId: string, orderId: string, operationId: string, startedAt: string): string =>
  `${operatorId}|${orderId}/${operationId}|${startedAt}`;

/** A clocking's equal share of a report on its operation, `shares` clockings open on it. */
const credit =
  (good: number, scrap: number, shares: number) =>
  (doc: Document | undefined): Document | undefined =>
    doc
      ? Object.assign(doc, {
          good: (doc['good'] as number) + good / shares,
          scrap: (doc['scrap'] as number) + scrap / shares,
        })
      : undefined;

/**
 * Labour: every clocking from clock-in to clock-out (open until then), with the piece work reported
 * while it was open. Quantities reported on an operation are credited to the clockings open on it at
 * the report, in equal shares. Hours, overlaps, shift ends and overtime are worked out when asked
 * (labourShare.ts), since they depend on the other clockings of the operator, the shifts and the clock.
 */
export const labourProjection = (timeZone: string): Projection => ({
  name: 'labour',
  version: 2,
  collections: {
    clockings: { indexes: ['operatorId', 'day', 'orderId'] },
    operations: {},
  },
  eventTypes: ['OperatorClockedIn', 'OperatorClockedOut', 'OperationQuantityReported'],
  // not async: in a rebuild every document is in memory, and each event is applied without an await
  apply(event, ctx) {
    switch (event.type) {
      case 'OperatorClockedIn':
      case 'OperatorClockedOut': {
        const { operatorId, orderId, operationId } = event.data;
        const startedAt = event.type === 'OperatorClockedIn' ? event.data.at : event.data.startedAt;
        const endedAt = event.type === 'OperatorClockedOut' ? event.data.endedAt : null;
        const id = clockingId(operatorId, orderId, operationId, startedAt);
        const clocked = ctx.update('clockings', id, (doc) =>
          Object.assign(
            doc ?? {
              _id: id,
              operatorId,
              orderId,
              operationId,
              startedAt,
              // the local day of the clock-in: what the queries select by (the payroll day is the shift's)
              day: localDate(startedAt, timeZone),
              good: 0,
              scrap: 0,
            },
            { endedAt },
          ),
        );
        const key = `${orderId}/${operationId}`;
        return andThen(clocked, () =>
          ctx.update('operations', key, (doc) => {
            const open = new Set((doc?.['open'] as string[] | undefined) ?? []);
            if (endedAt) open.delete(id);
            else open.add(id);
            return { _id: key, open: [...open] };
          }),
        );
      }
      case 'OperationQuantityReported': {
        const { orderId, operationId, good, scrap } = event.data;
        const key = `${orderId}/${operationId}`;
        // the operation and its open clockings read before any is written (see applyReading)
        return applyReading(ctx, () => {
          const operation = ctx.peek('operations', key);
          if (operation === UNREAD) return UNREAD;
          const open = (operation?.['open'] as string[] | undefined) ?? [];
          if (open.some((id) => ctx.peek('clockings', id) === UNREAD)) return UNREAD;
          for (const id of open) void ctx.update('clockings', id, credit(good, scrap, open.length));
          return undefined;
        });
      }
      default:
        return;
    }
  },
});
