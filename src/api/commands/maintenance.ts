import { runningHoursAt } from '../../domain/machine';
import type { MaintenanceState } from '../../domain/maintenance';
import { commandAnswer, commandContext, commandRoute, type RouteSpec } from '../routes';
import { optional, param, str, type CommandRoutesDeps } from './shared';

/** The machine whose running hours the work is recorded at: when the plan counts running hours and the body gave none. */
export const machineToRead = (plan: MaintenanceState, body: Record<string, unknown>): string | undefined =>
  body['runningHours'] === undefined && plan.status === 'Active' && plan.cycle.unit === 'runningHours'
    ? plan.machineId
    : undefined;

/** The work performed: when and at what running hours, those given first, else those read from the machine. */
export const performedData = (planId: string, body: Record<string, unknown>, readHours?: number) => ({
  planId,
  ...optional(body['performedAt'] as string | undefined, 'performedAt'),
  ...optional((body['runningHours'] as number | undefined) ?? readHours, 'runningHours'),
});

/** Maintenance plans: defined, and their work recorded. */
export const maintenanceRoutes = (deps: CommandRoutesDeps): RouteSpec[] => [
  commandRoute({
    deps,
    path: '/api/maintenance-plans',
    summary: 'Define a maintenance or inspection plan',
    tag: 'maintenance',
    roles: ['maintenance'],
    body: 'commands/defineMaintenancePlan',
    aggregate: 'maintenance',
    created: true,
    id: (ctx) => str(ctx, 'planId'),
    command: (ctx) => ({ type: 'DefineMaintenancePlan', data: ctx.body as never }),
  }),
  {
    method: 'post',
    path: '/api/maintenance-plans/:planId/perform',
    summary: 'Record a plan’s work performed (running hours read from the machine when not given)',
    tag: 'maintenance',
    roles: ['maintenance'],
    kind: 'command',
    body: 'commands/performMaintenance',
    async handle(ctx) {
      const planId = param(ctx, 'planId');
      const plan = (await deps.commands.load('maintenance', planId)).state;
      const machineId = machineToRead(plan, ctx.body);
      const readHours =
        machineId === undefined
          ? undefined
          : runningHoursAt(
              (await deps.commands.load('machine', machineId)).state,
              (ctx.body['performedAt'] as string | undefined) ?? ctx.meta.now,
            );
      const result = await deps.commands.handle(
        'maintenance',
        planId,
        { type: 'PerformMaintenance', data: performedData(planId, ctx.body, readHours), meta: ctx.meta },
        commandContext(ctx, 'api'),
      );
      return { body: commandAnswer(result), revision: result.revision };
    },
  },
];
