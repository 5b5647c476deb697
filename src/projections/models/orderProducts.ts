import type { RecordedEvent } from '../../app/eventStore';
import type { ProjectionContext } from '../runner';

/**
 * The product of each order, for projections whose events name an order but not its product. Each
 * keeps its own copy (collection `orderProducts`), so it stays rebuildable on its own.
 */
export const orderProducts = {
  collection: { orderProducts: {} },
  eventTypes: ['OrderPlanned', 'OrderRevised'] as const,
  /** Records the product when the event plans or revises an order; true when it did. */
  track: async (event: RecordedEvent, ctx: ProjectionContext): Promise<boolean> => {
    if (event.type !== 'OrderPlanned' && event.type !== 'OrderRevised') return false;
    const orderId = event.data['orderId'] as string;
    const product = (event.data['spec'] as { product: string }).product;
    await ctx.update('orderProducts', orderId, () => ({ _id: orderId, product }));
    return true;
  },
  of: async (ctx: ProjectionContext, orderId: string): Promise<string | undefined> =>
    (await ctx.get('orderProducts', orderId))?.['product'] as string | undefined,
};
