import { createHash } from 'node:crypto';
import type { ScanBody } from '../../domain/generated';
import { canonicalJson } from '../../lib/canonicalJson';
import { commandAnswer, type RouteSpec } from '../routes';
import type { CommandRoutesDeps } from './shared';

/** The digest of a scan's content: the same scan id again with another digest is another scan. */
const scanDigest = (scan: ScanBody): string => createHash('sha256').update(canonicalJson(scan)).digest('hex');

/** The PDA's one route: a scan of an operation card becomes the commands it stands for. */
export const scanRoutes = (deps: Pick<CommandRoutesDeps, 'scans' | 'idempotency'>): RouteSpec[] => [
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
      const scan = ctx.body as ScanBody;
      const caller = ctx.principal.name;
      const digest = scanDigest(scan);
      // a scan id is its caller's: the same id with the same content is a retry, with other content a 409
      const first = deps.idempotency.claimInput(caller, 'scan', scan.scanId, digest);
      try {
        const outcome = await deps.scans.handle(scan, ctx.principal, ctx.meta, ctx.requestId, {
          receivedAt: ctx.meta.now,
          ...(ctx.req.clientRequestId ? { clientRequestId: ctx.req.clientRequestId } : {}),
        });
        return {
          body: {
            orderId: outcome.orderId,
            operationId: outcome.operationId,
            results: outcome.results.map(commandAnswer),
          },
        };
      } catch (error) {
        // a refused scan leaves its id free: the operator may send it again, corrected
        if (first) deps.idempotency.releaseInput(caller, 'scan', scan.scanId, digest);
        throw error;
      }
    },
  },
];
