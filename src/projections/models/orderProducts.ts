import type { RecordedDomainEvent } from '../../app/eventStore';
import { UNREAD, type ProjectionContext } from '../runner';

/**
 * The product of each order, for projections whose events name an order but not its product. Each
 * keeps its own copy (collection `orderProducts`), so it stays rebuildable on its own.
 */
export const orderProducts = {
  collection: { orderProducts: {} },
  eventTypes: ['OrderPlanned', 'OrderRevised'] as const,
  /**
   * Records the product when the event plans or revises an order, and then returns the write to
   * await; undefined (at once, nothing awaited) for any other event.
   */
  track: (event: RecordedDomainEvent, ctx: ProjectionContext): Promise<void> | undefined => {
    if (event.type !== 'OrderPlanned' && event.type !== 'OrderRevised') return undefined;
    const { orderId, spec } = event.data;
    return ctx.update('orderProducts', orderId, () => ({ _id: orderId, product: spec.product }));
  },
  of: async (ctx: ProjectionContext, orderId: string): Promise<string | undefined> =>
    (await ctx.get('orderProducts', orderId))?.['product'] as string | undefined,
  /** The product as `peek` reads it: UNREAD when the store must be read first (see applyReading). */
  peek: (ctx: ProjectionContext, orderId: string): string | undefined | typeof UNREAD => {
    const doc = ctx.peek('orderProducts', orderId);
    return doc === UNREAD ? UNREAD : (doc?.['product'] as string | undefined);
  },
};
