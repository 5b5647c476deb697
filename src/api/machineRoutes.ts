import { NotFoundError } from '../domain/errors';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import type { RouteSpec } from './routes';

const READERS: Role[] = ['maintenance', 'analyst', 'planner'];

/** What is known of a read model not built yet or a machine it has nothing for: null, not a refusal. */
const orNull = async <T>(read: Promise<T>): Promise<T | null> => {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
};

/** One machine in one request: the office's machine page (state timeline, MTBF and MTTR, energy, OEE). */
export const machineRoutes = (deps: { queries: ReadModelQueries }): RouteSpec[] => [
  {
    method: 'get',
    path: '/api/machines/:machineId/summary',
    summary: "A machine's day: its state timeline with reasons, MTBF and MTTR, energy and kg CO2, and the day's OEE",
    tag: 'maintenance',
    roles: READERS,
    kind: 'query',
    query: 'queries/machineDay',
    async handle(ctx) {
      const machineId = ctx.params['machineId'] as string;
      const timeline = await deps.queries.oee.timeline(machineId, ctx.query['day']);
      const [reliability, plans, energy, oee] = await Promise.all([
        orNull(deps.queries.maintenance.reliability(machineId)),
        deps.queries.maintenance.plans(machineId),
        orNull(deps.queries.carbon.machine(machineId)),
        orNull(deps.queries.oee.machine(machineId, 'day', timeline.date, timeline.date)),
      ]);
      return { body: { ...timeline, reliability, plans, energy, oee: oee?.[0] ?? null } };
    },
  },
];
