import { operatorFor } from '../../app/scans';
import type { ReportQuantityBody, SchemaTypes } from '../../domain/generated';
import { commandRoute, type BodyContext, type RouteContext, type RouteSpec } from '../routes';
import { optional, param, type CommandOf, type CommandRoutesDeps } from './shared';

const order = (ctx: Pick<RouteContext, 'params'>) => param(ctx, 'orderId');
const operation = (ctx: Pick<RouteContext, 'params'>) => ({
  orderId: order(ctx),
  operationId: param(ctx, 'operationId'),
});

/** What an operator reports: good, scrap and rework, with the scrap reason when one was given. */
export const reportedQuantities = (body: ReportQuantityBody) => ({
  good: body.good,
  scrap: body.scrap,
  rework: body.rework,
  ...optional(body.scrapReason, 'scrapReason'),
});

/** Operators start, pause, resume, report and complete an order's operations. */
export const operationRoutes = (deps: CommandRoutesDeps): RouteSpec[] => {
  const operationRoute = <B extends keyof SchemaTypes>(
    name: string,
    summary: string,
    body: B,
    command: (ctx: BodyContext<B>) => CommandOf<'order'>,
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
        ...optional(ctx.body['machineId'], 'machineId'),
        ...optional(operatorFor(ctx.principal, ctx.body.operatorId), 'operatorId'),
      },
    })),
    operationRoute('pause', 'Pause an operation', 'commands/optionalReason', (ctx) => ({
      type: 'PauseOperation',
      data: { ...operation(ctx), ...optional(ctx.body['reason'], 'reason') },
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
