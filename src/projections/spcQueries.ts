import type { Document, Filter, FindOptions, Page } from '../app/readStore';
import { NotFoundError } from '../domain/errors';
import { capability, type ControlLimits } from '../domain/spc';

type Reads = {
  get: (collection: string, id: string) => Promise<Document | undefined>;
  find: (collection: string, options?: FindOptions) => Promise<Page>;
  all: (collection: string, filter?: Filter) => Promise<Document[]>;
};

export type SpcPoint = {
  inspectionId: string;
  value: number;
  at: string;
  orderId: string | null;
  lotId: string | null;
};

const pointOf = (doc: Document): SpcPoint => ({
  inspectionId: doc['inspectionId'] as string,
  value: doc['value'] as number,
  at: doc['at'] as string,
  orderId: (doc['orderId'] as string | null) ?? null,
  lotId: (doc['lotId'] as string | null) ?? null,
});

/** Control charts as the SPC read model keeps them; capability from the limits and the specification. */
export const spcQueries = (reads: Reads) => {
  const chart = async (chartId: string): Promise<Document> => {
    const doc = await reads.get('charts', chartId);
    if (!doc) throw new NotFoundError(`no control chart ${chartId}`);
    return doc;
  };
  /** A chart's points in time order, within [from, to] when given (the newest `limit` otherwise). */
  const points = async (chartId: string, range: { from?: string; to?: string; limit?: number } = {}) => {
    const at = { ...(range.from ? { $gte: range.from } : {}), ...(range.to ? { $lte: range.to } : {}) };
    const filter: Filter = { chartId, ...(range.from || range.to ? { at } : {}) };
    if (range.from || range.to)
      return (await reads.all('points', filter)).map(pointOf).sort((a, b) => (a.at < b.at ? -1 : 1));
    const page = await reads.find('points', {
      filter,
      sort: { field: 'at', direction: -1 },
      limit: range.limit ?? 100,
    });
    return page.items.map(pointOf).reverse();
  };
  return {
    list: async () =>
      (await reads.all('charts')).map(({ _pos: _p, violations, ...doc }) => ({
        ...doc,
        violations: (violations as unknown[]).length,
      })),
    chart,
    points,
    /** A chart for the quality screen: its points (the newest 100 by default), limits, violations, Cp and Cpk. */
    async view(chartId: string, range: { from?: string; to?: string; limit?: number } = {}) {
      const { _pos: _p, ...doc } = await chart(chartId);
      const limits = doc['limits'] as ControlLimits | null;
      const spec = (doc['spec'] as { lower?: number; upper?: number } | undefined) ?? {};
      return {
        ...doc,
        capability: limits ? capability(limits, spec) : null,
        series: await points(chartId, range),
      };
    },
  };
};
