import { runningHoursAt } from '../../domain/machine';
import type { PerformMaintenanceBody } from '../../domain/generated';
import type { MaintenanceState } from '../../domain/maintenance';
import { commandAnswer, commandContext, commandRoute, type BodyContext, type RouteSpec } from '../routes';
import { optional, param, str, type CommandRoutesDeps } from './shared';

/** The machine whose running hours the work is recorded at: when the plan counts running hours and the body gave none. */
export const machineToRead = (plan: MaintenanceState, body: PerformMaintenanceBody): string | undefined =>
  body.runningHours === undefined && plan.status === 'Active' && plan.cycle.unit === 'runningHours'
    ? plan.machineId
    : undefined;

/** The work performed: when and at what running hours, those given first, else those read from the machine. */
export const performedData = (planId: string, body: PerformMaintenanceBody, readHours?: number) => ({
  planId,
  ...optional(body.performedAt, 'performedAt'),
  ...optional(body.runningHours ?? readHours, 'runningHours'),
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
    command: (ctx) => ({ type: 'DefineMaintenancePlan', data: ctx.body }),
  }),
  {
    method: 'post',
    path: '/api/maintenance-plans/:planId/perform',
    summary: 'Record a plan’s work performed (running hours read from the machine when not given)',
    tag: 'maintenance',
    roles: ['maintenance'],
    kind: 'command',
    body: 'commands/performMaintenance',
    async handle(untyped) {
      // the route table has validated the body against its schema before the handler runs
      const ctx = untyped as BodyContext<'commands/performMaintenance'>;
      const planId = param(ctx, 'planId');
      const plan = (await deps.commands.load('maintenance', planId)).state;
      const machineId = machineToRead(plan, ctx.body);
      const readHours =
        machineId === undefined
          ? undefined
          : runningHoursAt(
              (await deps.commands.load('machine', machineId)).state,
              ctx.body.performedAt ?? ctx.meta.now,
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
