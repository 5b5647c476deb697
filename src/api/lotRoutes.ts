import type { CommandHandler } from '../app/commandHandler';
import { NotFoundError } from '../domain/errors';
import { SHOP_FLOOR } from './queryRoutes';
import type { RouteContext, RouteSpec } from './routes';

/** A lot as a PDA reads it before issuing it (the issue itself is a lot command: src/api/commands/lots.ts). */
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
  ];
};
