import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import type { RouteSpec } from './routes';

const READERS: Role[] = ['maintenance', 'analyst', 'planner'];

/** Equipment health: a machine's health index and each signal's EWMA and CUSUM against its baseline. */
export const healthRoutes = (deps: { queries: ReadModelQueries }): RouteSpec[] => [
  {
    method: 'get',
    path: '/api/machines/:machineId/health',
    summary:
      "A machine's health index (0-100) and each signal's charted value, EWMA and CUSUM against its baseline; the warnings of its degradation episodes",
    tag: 'telemetry',
    roles: READERS,
    kind: 'query',
    async handle(ctx) {
      return { body: await deps.queries.health.machine(ctx.params['machineId'] as string) };
    },
  },
];
