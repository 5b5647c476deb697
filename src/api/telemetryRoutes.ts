import { ValidationError } from '../domain/errors';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import type { RouteSpec } from './routes';

const READERS: Role[] = ['maintenance', 'analyst', 'quality', 'planner'];
const DAY = 86_400_000;
/** The longest range each resolution answers (a bounded answer; coarser resolutions reach further). */
const LONGEST = { interval: 31 * DAY, hour: 400 * DAY, day: 10 * 366 * DAY } as const;

/** Machines' telemetry: the signals each sends, and a signal as a time series (interval, hour or day). */
export const telemetryRoutes = (deps: { queries: ReadModelQueries }): RouteSpec[] => [
  {
    method: 'get',
    path: '/api/machines/:machineId/telemetry/signals',
    summary: "A machine's telemetry signals: first and newest interval recorded, newest value",
    tag: 'telemetry',
    roles: READERS,
    kind: 'query',
    async handle(ctx) {
      return { body: await deps.queries.telemetry.signals(ctx.params['machineId'] as string) };
    },
  },
  {
    method: 'get',
    path: '/api/machines/:machineId/telemetry',
    summary: "A machine's signal over a range: count, min, max, mean, RMS and last per interval, hour or local day",
    tag: 'telemetry',
    roles: READERS,
    kind: 'query',
    query: 'queries/telemetry',
    async handle(ctx) {
      const { signal, from, to } = ctx.query as { signal: string; from: string; to: string };
      const resolution = (ctx.query['resolution'] ?? 'interval') as keyof typeof LONGEST;
      const span = Date.parse(to) - Date.parse(from);
      if (span <= 0)
        throw new ValidationError('the range ends after it starts', [
          { path: '/query/to', message: 'must be later than from' },
        ]);
      if (span > LONGEST[resolution])
        throw new ValidationError(`a ${resolution} series answers at most ${LONGEST[resolution] / DAY} days`, [
          {
            path: '/query/from',
            message: `the range is longer than ${LONGEST[resolution] / DAY} days at this resolution`,
          },
        ]);
      return {
        body: {
          machineId: ctx.params['machineId'],
          signal,
          resolution,
          points: await deps.queries.telemetry.points(ctx.params['machineId'] as string, signal, resolution, from, to),
        },
      };
    },
  },
];
