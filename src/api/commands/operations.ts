import type { SchemaTypes } from '../../domain/generated';
import { commandRoute, type RouteContext, type RouteSpec } from '../routes';
import { optional, param, type CommandOf, type CommandRoutesDeps } from './shared';

const order = (ctx: RouteContext) => param(ctx, 'orderId');
const operation = (ctx: RouteContext) => ({ orderId: order(ctx), operationId: param(ctx, 'operationId') });

/** What an operator reports: good, scrap and rework, with the scrap reason when one was given. */
export const reportedQuantities = (body: Record<string, unknown>) => ({
  good: body['good'] as number,
  scrap: body['scrap'] as number,
  rework: body['rework'] as number,
  ...optional(body['scrapReason'] as string | undefined, 'scrapReason'),
});

/** Operators start, pause, resume, report and complete an order's operations. */
export const operationRoutes = (deps: CommandRoutesDeps): RouteSpec[] => {
  const operationRoute = (
    name: string,
    summary: string,
    body: keyof SchemaTypes,
    command: (ctx: RouteContext) => CommandOf<'order'>,
  ): RouteSpec =>
    commandRoute({
      deps,
      path: `/api/orders/:orderId/operations/:operationId/${name}`,
      summary,
      tag: 'operations',
      roles: ['operator'],
      body,
      aggregate: 'order',
      id: order,
      command,
    });
  return [
    operationRoute('start', 'Start an operation', 'commands/startOperation', (ctx) => ({
      type: 'StartOperation',
      data: {
        ...operation(ctx),
        ...optional(ctx.body['machineId'] as string | undefined, 'machineId'),
        ...optional(ctx.body['operatorId'] as string | undefined, 'operatorId'),
      },
    })),
    operationRoute('pause', 'Pause an operation', 'commands/optionalReason', (ctx) => ({
      type: 'PauseOperation',
      data: { ...operation(ctx), ...optional(ctx.body['reason'] as string | undefined, 'reason') },
    })),
    operationRoute('resume', 'Resume an operation', 'commands/empty', (ctx) => ({
      type: 'ResumeOperation',
      data: operation(ctx),
    })),
    operationRoute('report', 'Report good, scrap and rework', 'commands/reportQuantity', (ctx) => ({
      type: 'ReportQuantity',
      data: { ...operation(ctx), ...reportedQuantities(ctx.body) },
    })),
    operationRoute('complete', 'Complete an operation', 'commands/empty', (ctx) => ({
      type: 'CompleteOperation',
      data: operation(ctx),
    })),
  ];
};
