import type { Document } from '../app/readStore';
import { nameIn, type Names } from '../domain/names';
import { ganttOf, type GanttOrder, type GanttWorkCenter } from '../projections/plannerGantt';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import { languageOf } from './language';
import type { RouteSpec } from './routes';

/** How far back the Gantt shows operations run. */
const RUN_WINDOW_MS = 12 * 3_600_000;
/** Orders that may have run an operation; planned and released ones have not. */
const STARTED = ['InProgress', 'OnHold', 'Completed', 'Closed', 'Cancelled'];
const PLANNERS: Role[] = ['planner', 'analyst'];

type Wip = ReadModelQueries['wip'];

/** Every document of a paged read, filtered. */
const every = async (read: Wip['orders'], filter: Record<string, unknown> = {}): Promise<Document[]> => {
  const docs: Document[] = [];
  for (let page = await read({ filter, limit: 1000 }); ;) {
    docs.push(...page.items);
    if (!page.nextCursor) return docs;
    page = await read({ filter, limit: 1000, cursor: page.nextCursor });
  }
};

/**
 * The planner's plant view in one request (a screen would otherwise ask per work center and per order):
 * each work center the WIP read model or master data knows, with its name, dispatch rule, queue, load and
 * Gantt (see `ganttOf`).
 */
export const plannerRoutes = (deps: { queries: ReadModelQueries; clock?: () => Date }): RouteSpec[] => [
  {
    method: 'get',
    path: '/api/planner/work-centers',
    summary:
      'Each work center’s queue, load and Gantt: operations run (12 h) and running on their machines, its queue planned in dispatch order',
    tag: 'wip',
    roles: PLANNERS,
    kind: 'query',
    async handle(ctx) {
      const q = deps.queries.wip;
      const language = languageOf(ctx.req);
      const masters = (await deps.queries.master.list('workCenter', { limit: 1000 })).items;
      const names = new Map(masters.map((m) => [m.code, nameIn(m.names, language)]));
      const codes = new Set([
        ...masters.map((m) => m.code),
        ...(await every(q.workCenters)).map((d) => d['_id']),
      ]);
      const centers = await Promise.all([...codes].sort().map((code) => q.workCenter(code)));
      const read = (doc: Document): GanttOrder => {
        const productName = nameIn(doc['productNames'] as Names | undefined, language);
        return { ...(doc as Document & GanttOrder), ...(productName ? { productName } : {}) };
      };
      const orders = new Map<string, GanttOrder>();
      for (const status of STARTED)
        for (const doc of await every(q.orders, { status })) orders.set(doc['_id'], read(doc));
      // queued operations of orders not yet started (released ones) need their product too
      for (const center of centers as Array<Document & GanttWorkCenter>)
        for (const { orderId } of center.queue)
          if (!orders.has(orderId)) {
            const order = await q.order(orderId).catch(() => undefined); // not projected yet: drawn without its product
            if (order) orders.set(orderId, read(order));
          }
      const now = (deps.clock?.() ?? new Date()).getTime();
      return {
        body: {
          now: new Date(now).toISOString(),
          workCenters: (centers as Array<Document & GanttWorkCenter & { loadHours: number }>).map((center) => {
            const name = names.get(center.workCenter);
            return {
              ...ganttOf(center, [...orders.values()], now - RUN_WINDOW_MS, now),
              ...(name ? { name } : {}),
              queued: center.queue.length,
              running: center.running.length,
              loadHours: center.loadHours,
            };
          }),
        },
      };
    },
  },
];
