import { asDomainEvent, type EventStore, type Position } from '../eventStore';

/**
 * What each order's produced lots hold together, folded from the log's `LotProduced` events: each
 * call reads only the events written since the last one (the first reads them all once).
 */
export const createProducedTotals = (store: Pick<EventStore, 'readAll'>) => {
  const totals = new Map<string, number>();
  let after: Position | undefined;
  const catchUp = async (): Promise<void> => {
    for (;;) {
      const page = await store.readAll({
        ...(after === undefined ? {} : { after }),
        maxCount: 1000,
        filter: { eventTypes: ['LotProduced'] },
      });
      for (const recorded of page.events) {
        const event = asDomainEvent(recorded);
        if (event?.type !== 'LotProduced') continue;
        const { orderId, quantity } = event.data;
        totals.set(orderId, (totals.get(orderId) ?? 0) + quantity);
      }
      const moved = page.checkpoint !== undefined && page.checkpoint !== after;
      after = page.checkpoint ?? after;
      if (page.isEnd || !moved) return;
    }
  };
  return {
    /** The quantity the order's lots hold, as of now. */
    async of(orderId: string): Promise<number> {
      await catchUp();
      return totals.get(orderId) ?? 0;
    },
  };
};
