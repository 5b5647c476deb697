import { commandRoute, type RouteContext, type RouteSpec } from '../routes';
import { optional, param, str, type CommandRoutesDeps } from './shared';

const lot = (ctx: RouteContext) => param(ctx, 'lotId');

/** Material lots: received, produced, issued to operations, shipped to customers, and quality's holds and ends. */
export const lotRoutes = (deps: CommandRoutesDeps): RouteSpec[] => {
  const step = (
    name: string,
    summary: string,
    type: 'QuarantineLot' | 'ReleaseLot' | 'ScrapLot' | 'ReturnLotToSupplier',
  ): RouteSpec =>
    commandRoute({
      deps,
      path: `/api/lots/:lotId/${name}`,
      summary,
      tag: 'lots',
      roles: ['quality'],
      body: 'commands/reason',
      aggregate: 'lot',
      id: lot,
      command: (ctx) => ({ type, data: { lotId: lot(ctx), reason: str(ctx, 'reason') } }),
    });
  return [
    commandRoute({
      deps,
      path: '/api/lots',
      summary: 'Receive a material lot',
      tag: 'lots',
      roles: ['planner', 'integrator'],
      body: 'commands/receiveLot',
      aggregate: 'lot',
      created: true,
      id: (ctx) => str(ctx, 'lotId'),
      command: (ctx) => ({ type: 'ReceiveLot', data: { ...ctx.body, source: 'manual' } }),
    }),
    commandRoute({
      deps,
      path: '/api/lots/produced',
      summary: 'Record an order’s finished goods as a lot (its product, within its quantity plus overrun tolerance)',
      tag: 'lots',
      roles: ['operator', 'planner'],
      body: 'commands/produceLot',
      aggregate: 'lot',
      created: true,
      id: (ctx) => str(ctx, 'lotId'),
      command: (ctx) => ({ type: 'ProduceLot', data: ctx.body }),
    }),
    commandRoute({
      deps,
      path: '/api/lots/:lotId/issue',
      summary:
        'Issue material to an order operation (released order, ready or running operation, on its BOM; quality or planner may override with a reason)',
      tag: 'lots',
      roles: ['operator', 'quality', 'planner'],
      body: 'commands/issueLot',
      aggregate: 'lot',
      id: lot,
      command: (ctx) => ({
        type: 'IssueLot',
        data: {
          lotId: lot(ctx),
          orderId: str(ctx, 'orderId'),
          operationId: str(ctx, 'operationId'),
          quantity: ctx.body['quantity'],
          ...optional(ctx.body['override'], 'override'),
        },
      }),
    }),
    commandRoute({
      deps,
      path: '/api/lots/:lotId/ship',
      summary: 'Ship finished goods of a lot to a customer (a shipment or delivery note)',
      tag: 'lots',
      roles: ['planner', 'integrator'],
      body: 'commands/shipLot',
      aggregate: 'lot',
      id: lot,
      command: (ctx) => ({ type: 'ShipLot', data: { ...ctx.body, lotId: lot(ctx) } }),
    }),
    step('quarantine', 'Quarantine a lot', 'QuarantineLot'),
    step('release', 'Release a quarantined lot', 'ReleaseLot'),
    step('scrap', 'Scrap a lot', 'ScrapLot'),
    step('return', 'Return a bought lot to its supplier', 'ReturnLotToSupplier'),
  ];
};
