import type { ScanBody } from '../../domain/generated';
import { commandAnswer, type RouteSpec } from '../routes';
import type { CommandRoutesDeps } from './shared';

/** The PDA's one route: a scan of an operation card becomes the commands it stands for. */
export const scanRoutes = (deps: Pick<CommandRoutesDeps, 'scans'>): RouteSpec[] => [
  {
    method: 'post',
    path: '/api/scans',
    summary: 'A PDA scan of an operation card: start, pause, resume, report or complete, clocking the operator',
    tag: 'operations',
    roles: ['operator'],
    kind: 'command',
    body: 'commands/scan',
    async handle(ctx) {
      // the route table has validated the body against commands/scan before the handler runs
      const outcome = await deps.scans.handle(ctx.body as ScanBody, ctx.principal, ctx.meta, ctx.requestId);
      return {
        body: {
          orderId: outcome.orderId,
          operationId: outcome.operationId,
          results: outcome.results.map(commandAnswer),
        },
      };
    },
  },
];
