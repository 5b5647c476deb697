import { createHash } from 'node:crypto';
import { scheduleToOrders, parseSchedule } from '../adapters/erp/b2mml';
import type { CommandHandler } from '../app/commandHandler';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { IllegalStateError, isKnownError } from '../domain/errors';
import { canonicalJson } from '../app/canonicalJson';
import { sendProblem } from './problem';
import type { RouteSpec } from './routes';

/** The ERP's production schedules: ISA-95 B2MML V0600 ProductionSchedule, as XML or its JSON rendering. */
export const erpRoutes = (deps: { commands: CommandHandler; schemas: SchemaRegistry }): RouteSpec[] => [
  {
    method: 'post',
    path: '/api/erp/production-schedules',
    summary:
      'Import a B2MML ProductionSchedule (application/xml or JSON): each ProductionRequest plans or revises an order',
    tag: 'erp',
    roles: ['integrator', 'planner'],
    kind: 'command',
    async handle(ctx) {
      const type = ctx.req.get('content-type') ?? '';
      if (!/(application|text)\/xml|application\/json/.test(type)) {
        sendProblem(
          ctx.res,
          'unsupported-media-type',
          415,
          'Unsupported media type',
          'send B2MML as application/xml, or its JSON rendering as application/json',
        );
        return { stream: true };
      }
      const orders = scheduleToOrders(parseSchedule(ctx.req.body, type), deps.schemas);
      const results = [];
      for (const { orderId, spec, path } of orders) {
        // the same request sent again carries the same content: its command id says it was handled
        const digest = createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 24);
        const context = {
          commandId: `erp:${orderId}:${digest}`,
          correlationId: ctx.requestId,
          source: 'erp' as const,
          inputId: orderId,
        };
        try {
          const planned = await deps.commands.handle(
            'order',
            orderId,
            { type: 'PlanOrder', data: { orderId, spec }, meta: ctx.meta },
            context,
          );
          results.push({
            orderId,
            element: path,
            outcome: planned.duplicate ? 'unchanged' : 'planned',
            revision: planned.revision,
          });
        } catch (error) {
          if (!(error instanceof IllegalStateError) || error.rule !== 'order-exists') throw error;
          try {
            const revised = await deps.commands.handle(
              'order',
              orderId,
              { type: 'ReviseOrder', data: { orderId, spec }, meta: ctx.meta },
              { ...context, commandId: `erp:revise:${orderId}:${digest}` },
            );
            results.push({
              orderId,
              element: path,
              outcome: revised.events.length > 0 ? 'revised' : 'unchanged',
              revision: revised.revision,
            });
          } catch (refusal) {
            if (!isKnownError(refusal)) throw refusal;
            results.push({
              orderId,
              element: path,
              outcome: 'refused',
              rule: (refusal as { rule?: string }).rule ?? refusal.type,
              reason: refusal.message,
            });
          }
        }
      }
      return { body: { results } };
    },
  },
];
