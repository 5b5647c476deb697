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

/** The planner's aggregate reads over the WIP read model: one request where a screen would make N. */
export const plannerRoutes = (deps: { queries: ReadModelQueries; clock?: () => Date }): RouteSpec[] => [
  {
    method: 'get',
    path: '/api/planner/gantt/:workCenter',
    summary:
      'A work center’s Gantt: operations run (12 h) and running on their machines, then its queue planned in dispatch order',
    tag: 'wip',
    roles: PLANNERS,
    kind: 'query',
    async handle(ctx) {
      const q = deps.queries.wip;
      const language = languageOf(ctx.req);
      const center = (await q.workCenter(ctx.params['workCenter'] as string)) as Document & GanttWorkCenter;
      const orders: GanttOrder[] = [];
      const read = (doc: Document): GanttOrder => {
        const productName = nameIn(doc['productNames'] as Names | undefined, language);
        return { ...(doc as Document & GanttOrder), ...(productName ? { productName } : {}) };
      };
      const wanted = new Set([...center.queue, ...center.running].map((e) => e.orderId));
      for (const status of STARTED)
        for (let page = await q.orders({ filter: { status }, limit: 1000 }); ;) {
          orders.push(...page.items.map(read));
          if (!page.nextCursor) break;
          page = await q.orders({ filter: { status }, limit: 1000, cursor: page.nextCursor });
        }
      // queued operations of orders not yet started (released ones) need their product too
      for (const orderId of wanted)
        if (!orders.some((o) => o.orderId === orderId)) {
          const order = await q.order(orderId).catch(() => undefined); // not projected yet: drawn without its product
          if (order) orders.push(read(order));
        }
      const now = (deps.clock?.() ?? new Date()).getTime();
      return { body: ganttOf(center, orders, now - RUN_WINDOW_MS, now) };
    },
  },
];
