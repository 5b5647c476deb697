import { dashboardQueries, type DashboardPeriod, type DashboardScope } from '../projections/dashboardQueries';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import type { RouteSpec } from './routes';

const READERS: Role[] = ['analyst', 'planner', 'quality', 'maintenance', 'auditor'];

/** `plant`, `line:<line>` or `machine:<id>` (the query schema has checked the shape). */
const scopeOf = (text: string | undefined): DashboardScope => {
  if (text === undefined || text === 'plant') return { level: 'plant' };
  const [level, key] = [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)];
  return { level: level === 'line' ? 'line' : 'machine', key };
};

/** The dashboard: what the screen shows in one answer, composed from the read models' queries. */
export const dashboardRoutes = (deps: { queries: ReadModelQueries }): RouteSpec[] => {
  const answer = dashboardQueries(deps.queries);
  return [
    {
      method: 'get',
      path: '/api/dashboard',
      summary:
        'The dashboard in one answer: OEE, losses, stops, output, delivery, yields, energy, quality loops, maintenance',
      tag: 'oee',
      roles: READERS,
      kind: 'query',
      query: 'queries/dashboard',
      async handle(ctx) {
        return { body: await answer(scopeOf(ctx.query['scope']), (ctx.query['period'] as DashboardPeriod) ?? 'day') };
      },
    },
  ];
};
