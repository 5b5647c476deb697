import type { AlertKind } from '../domain/alert';
import type { AlertRaisedV1 } from '../domain/generated';
import type { ReadStore } from '../app/readStore';
import { NotFoundError } from '../domain/errors';

export type AlertView = AlertRaisedV1 & { position: string };

/** The alerts read model: the newest alerts of some kinds, a page at a time. */
export const createAlertQueries = (readStore: ReadStore) => ({
  async recent(kinds: readonly AlertKind[], options: { limit?: number; cursor?: string } = {}) {
    if (kinds.length === 0) return { items: [] as AlertView[] };
    const namespace = await readStore.active('alerts');
    if (!namespace) throw new NotFoundError('read model alerts is not built yet');
    const page = await readStore.find(namespace, 'alerts', {
      filter: { kind: { $in: [...kinds] } },
      sort: { field: 'raisedAt', direction: -1 },
      limit: options.limit ?? 50,
      ...(options.cursor ? { cursor: options.cursor } : {}),
    });
    const items = page.items.map(({ _id, _pos, ...alert }) => alert as unknown as AlertView);
    return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  },
});

export type AlertQueries = ReturnType<typeof createAlertQueries>;
