import type { OrderSpec } from '../../domain/order';
import { commandRoute, type RouteContext, type RouteSpec } from '../routes';
import { param, str, type CommandRoutesDeps } from './shared';

/** The order spec a planner's body describes (plan or revise): the id is the stream's, the source is the planner. */
export const orderSpecOf = (body: Record<string, unknown>): OrderSpec => {
  const { orderId: _id, overrunTolerance, ...rest } = body as Record<string, unknown> & { overrunTolerance?: number };
  return {
    ...(rest as Omit<OrderSpec, 'overrunTolerance' | 'source'>),
    overrunTolerance: overrunTolerance ?? 0,
    source: 'planner',
  };
};

const order = (ctx: RouteContext) => param(ctx, 'orderId');

/** Planners plan, revise, release, hold, resume, cancel, reprioritise and close orders. */
export const orderRoutes = (deps: CommandRoutesDeps): RouteSpec[] => {
  const step = (name: string, summary: string, type: 'ReleaseOrder' | 'ResumeOrder' | 'CloseOrder'): RouteSpec =>
    commandRoute({
      deps,
      path: `/api/orders/:orderId/${name}`,
      summary,
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/empty',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type, data: { orderId: order(ctx) } }),
    });
  const withReason = (name: string, summary: string, type: 'HoldOrder' | 'CancelOrder'): RouteSpec =>
    commandRoute({
      deps,
      path: `/api/orders/:orderId/${name}`,
      summary,
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/reason',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type, data: { orderId: order(ctx), reason: str(ctx, 'reason') } }),
    });
  return [
    commandRoute({
      deps,
      path: '/api/orders',
      summary: 'Plan a production order',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/planOrder',
      aggregate: 'order',
      created: true,
      id: (ctx) => str(ctx, 'orderId'),
      command: (ctx) => ({ type: 'PlanOrder', data: { orderId: str(ctx, 'orderId'), spec: orderSpecOf(ctx.body) } }),
    }),
    commandRoute({
      deps,
      method: 'put',
      path: '/api/orders/:orderId',
      summary: 'Revise a planned or released order',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/reviseOrder',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type: 'ReviseOrder', data: { orderId: order(ctx), spec: orderSpecOf(ctx.body) } }),
    }),
    step('release', 'Release an order', 'ReleaseOrder'),
    step('resume', 'Resume an order on hold', 'ResumeOrder'),
    step('close', 'Close a completed order', 'CloseOrder'),
    withReason('hold', 'Put an order on hold', 'HoldOrder'),
    withReason('cancel', 'Cancel an order', 'CancelOrder'),
    commandRoute({
      deps,
      path: '/api/orders/:orderId/reprioritise',
      summary: 'Change an order’s customer priority',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/reprioritise',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({
        type: 'ReprioritiseOrder',
        data: { orderId: order(ctx), priority: ctx.body['priority'] },
      }),
    }),
  ];
};
