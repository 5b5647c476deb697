import { commandRoute, type RouteSpec } from '../routes';
import { optional, param, str, type CommandRoutesDeps } from './shared';

/**
 * Maintenance plans: defined, and their work recorded. The machine's readings (running hours, units
 * counted) are added to both commands by the command handler (src/app/machineReadings.ts).
 */
export const maintenanceRoutes = (deps: CommandRoutesDeps): RouteSpec[] => [
  commandRoute({
    deps,
    path: '/api/maintenance-plans',
    summary:
      'Define a maintenance or inspection plan: every so many days, running hours or counted units, or on fixed dates',
    tag: 'maintenance',
    roles: ['maintenance'],
    body: 'commands/defineMaintenancePlan',
    aggregate: 'maintenance',
    created: true,
    id: (ctx) => str(ctx, 'planId'),
    command: (ctx) => ({ type: 'DefineMaintenancePlan', data: ctx.body }),
  }),
  commandRoute({
    deps,
    path: '/api/maintenance-plans/:planId/perform',
    summary: 'Record a plan’s work performed (running hours and count read from the machine when not given)',
    tag: 'maintenance',
    roles: ['maintenance'],
    body: 'commands/performMaintenance',
    aggregate: 'maintenance',
    id: (ctx) => param(ctx, 'planId'),
    command: (ctx) => ({
      type: 'PerformMaintenance',
      data: {
        planId: param(ctx, 'planId'),
        ...optional(ctx.body.performedAt, 'performedAt'),
        ...optional(ctx.body.runningHours, 'runningHours'),
        ...optional(ctx.body.count, 'count'),
        ...optional(ctx.body.checklist, 'checklist'),
      },
    }),
  }),
];
