import type { CommandHandler } from '../app/commandHandler';
import { NotFoundError } from '../domain/errors';
import type { Role } from './auth';
import { commandAnswer, runCommand, type RouteContext, type RouteSpec } from './routes';

const SHOP_FLOOR: Role[] = ['analyst', 'planner', 'quality', 'maintenance', 'auditor', 'operator'];

/** The materials an order's operation lists in its bill; none when the order or operation is unknown. */
const billOf = async (commands: CommandHandler, orderId: string, operationId: string): Promise<string[]> => {
  const { state } = await commands.load('order', orderId);
  if (state.status === 'Initial') return [];
  const routed = state.spec.routing?.operations.find((o) => o.operationId === operationId);
  return (routed?.materials ?? []).map((m) => m.material);
};

/** A lot as a PDA reads it before issuing, and the issue, checked against the operation's bill of materials. */
export const lotRoutes = (deps: { commands: CommandHandler }): RouteSpec[] => {
  const lotId = (ctx: RouteContext) => ctx.params['lotId'] as string;
  return [
    {
      method: 'get',
      path: '/api/lots/:lotId',
      summary: 'A lot: material, quantity on hand, unit, status (and why when quarantined)',
      tag: 'lots',
      roles: SHOP_FLOOR,
      kind: 'query',
      async handle(ctx) {
        const { state, revision } = await deps.commands.load('lot', lotId(ctx));
        if (state.status === 'Initial') throw new NotFoundError(`lot ${lotId(ctx)} does not exist`);
        return { body: state, revision };
      },
    },
    {
      method: 'post',
      path: '/api/lots/:lotId/issue',
      summary: 'Issue material to an order operation (a material its bill of materials lists)',
      tag: 'lots',
      roles: ['operator'],
      kind: 'command',
      body: 'commands/issueLot',
      async handle(ctx) {
        const orderId = ctx.body['orderId'] as string;
        const operationId = ctx.body['operationId'] as string;
        const bom = await billOf(deps.commands, orderId, operationId);
        const data = { lotId: lotId(ctx), orderId, operationId, quantity: ctx.body['quantity'] as number };
        const result = await runCommand(
          deps.commands,
          'lot',
          lotId(ctx),
          { type: 'IssueLot', data: bom.length > 0 ? { ...data, bom } : data, meta: ctx.meta },
          ctx,
          'api',
        );
        return { body: commandAnswer(result), revision: result.revision };
      },
    },
  ];
};
