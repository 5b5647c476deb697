import type { CommandHandler } from '../app/commandHandler';
import { calendarStreamId, type CalendarScope } from '../domain/calendar';
import { ValidationError } from '../domain/errors';
import type { ReadModelQueries } from '../projections/queries';
import type { OeeLevel, OeePeriod } from '../projections/oeeQueries';
import type { Role } from './auth';
import { commandRoute, type RouteContext, type RouteSpec } from './routes';

const READERS: Role[] = ['analyst', 'planner', 'quality', 'maintenance', 'auditor'];
const PERIODS: Record<string, OeePeriod> = { shifts: 'shift', days: 'day', weeks: 'week', range: 'range' };
const LEVELS: Record<string, OeeLevel> = { 'work-centers': 'workCenter', lines: 'line', sites: 'site' };
const SCOPES: Record<string, CalendarScope> = { sites: 'site', 'work-centers': 'workCenter', machines: 'machine' };

const oneOf = <T>(ctx: RouteContext, name: string, table: Record<string, T>): T => {
  const value = table[ctx.params[name] as string];
  if (value === undefined)
    throw new ValidationError(`${ctx.params[name]} is not a ${name}`, [
      { path: `/params/${name}`, message: `must be one of ${Object.keys(table).join(', ')}` },
    ]);
  return value;
};

const query = (path: string, summary: string, handle: (ctx: RouteContext) => Promise<unknown>): RouteSpec => ({
  method: 'get',
  path,
  summary,
  tag: 'oee',
  roles: READERS,
  kind: 'query',
  query: 'queries/oeeRange',
  async handle(ctx) {
    return { body: await handle(ctx) };
  },
});

/** OEE, TEEP and losses per machine and rolled up; the calendars they are measured against. */
export const oeeRoutes = (deps: { queries: ReadModelQueries; commands: CommandHandler }): RouteSpec[] => {
  const range = (ctx: RouteContext) => [ctx.query['from'], ctx.query['to']] as const;
  const only = (ctx: RouteContext) => ctx.query['machines']?.split(',');
  return [
    query(
      '/api/oee/rollups/plant/:period',
      'Plant OEE, TEEP and losses per shift, day, week or the whole range (ratios of summed times)',
      (ctx) =>
        deps.queries.oee.rollup(
          'plant',
          undefined,
          oneOf(ctx, 'period', PERIODS),
          ...range(ctx),
          only(ctx),
          ctx.query['until'],
        ),
    ),
    query(
      '/api/oee/rollups/:level/:key/:period',
      'OEE, TEEP and losses of a work center, line or site (ratios of summed times)',
      (ctx) =>
        deps.queries.oee.rollup(
          oneOf(ctx, 'level', LEVELS),
          ctx.params['key'],
          oneOf(ctx, 'period', PERIODS),
          ...range(ctx),
          only(ctx),
          ctx.query['until'],
        ),
    ),
    query(
      '/api/oee/:machineId/:period',
      "A machine's OEE, TEEP and losses per shift, day, week or the whole range",
      (ctx) =>
        deps.queries.oee.machine(
          ctx.params['machineId'] as string,
          oneOf(ctx, 'period', PERIODS),
          ...range(ctx),
          ctx.query['until'],
        ),
    ),
    {
      method: 'get',
      path: '/api/calendars',
      summary: 'The calendar versions of the configuration and those set through the API',
      tag: 'calendars',
      roles: [...READERS, 'sysadmin'],
      kind: 'query',
      async handle() {
        return { body: await deps.queries.oee.calendars() };
      },
    },
    query(
      '/api/calendars/machines/:machineId/intervals',
      "A machine's shifts, working time, breaks and planned stops over a range of days",
      (ctx) => deps.queries.oee.calendarOf(ctx.params['machineId'] as string, ...range(ctx)),
    ),
    commandRoute({
      deps,
      method: 'put',
      path: '/api/calendars/:scope/:id',
      summary: "Set a new version of a site's, work center's or machine's calendar, in force from a local day",
      tag: 'calendars',
      roles: ['planner', 'sysadmin'],
      body: 'commands/setCalendar',
      aggregate: 'calendar',
      id: (ctx) => calendarStreamId(oneOf(ctx, 'scope', SCOPES), ctx.params['id'] as string),
      command: (ctx) => ({
        type: 'SetCalendar',
        data: { scope: oneOf(ctx, 'scope', SCOPES), id: ctx.params['id'] as string, ...ctx.body },
      }),
    }),
  ];
};
