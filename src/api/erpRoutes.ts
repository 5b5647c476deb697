import type { CommandHandler } from '../app/commandHandler';
import {
  importSchedule,
  receiveMaterial,
  shipGoods,
  type MaterialReceipt,
  type ScheduleReader,
  type Shipment,
} from '../app/integrationImports';
import type { OutboxMonitor } from '../app/outbox';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { sendProblem } from './problem';
import type { RouteSpec } from './routes';

/** The ERP's production schedules: ISA-95 B2MML V0600 ProductionSchedule, as XML or its JSON rendering. */
export const erpRoutes = (deps: {
  commands: CommandHandler;
  schemas: SchemaRegistry;
  readSchedule: ScheduleReader;
  outbox?: OutboxMonitor;
}): RouteSpec[] => [
  {
    method: 'post',
    path: '/api/erp/production-schedules',
    summary:
      'Import a B2MML V0600 ProductionSchedule (XML or its JSON rendering): each ProductionRequest plans or revises an order, or is refused on its own',
    tag: 'erp',
    roles: ['integrator', 'planner'],
    kind: 'command',
    bodyDocs: { 'application/xml': 'text', 'text/xml': 'text', 'application/json': 'erp/productionSchedule' },
    answers: {
      '207':
        'Some ProductionRequests were refused, the others taken: `results` lists each one’s outcome, a refused one with its rule, reason and element paths (none taken: a 400 problem when one is unreadable, else 409, listing them in `errors` and `results`)',
    },
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
      const results = await importSchedule(deps, deps.readSchedule(ctx.req.body, type), ctx.meta, ctx.requestId);
      const refused = results.filter((r) => r.outcome === 'refused');
      if (refused.length === 0) return { body: { results } };
      if (refused.length < results.length) return { status: 207, body: { results } };
      // nothing was taken: a problem listing every request's refusal, each problem once with its element
      const unreadable = refused.some((r) => r.rule === 'b2mml-invalid');
      sendProblem(
        ctx.res,
        'schedule-refused',
        unreadable ? 400 : 409,
        'Schedule refused',
        `none of the schedule's ${results.length} ProductionRequests was taken: ${refused[0]?.reason ?? ''}`,
        {
          rule: 'schedule-refused',
          errors: refused.flatMap((r) => r.problems ?? [{ path: r.element, message: `${r.rule}: ${r.reason}` }]),
          results,
        },
      );
      return { stream: true };
    },
  },
  {
    method: 'post',
    path: '/api/wms/material-receipts',
    summary: 'A WMS material receipt (JSON): each line becomes a lot; the same receipt again creates nothing',
    tag: 'wms',
    roles: ['integrator', 'planner'],
    kind: 'command',
    body: 'wms/materialReceipt',
    async handle(ctx) {
      // the route table has validated the body against wms/materialReceipt
      const receipt = ctx.body as MaterialReceipt;
      return { body: { results: await receiveMaterial(deps, receipt, ctx.meta, ctx.requestId) } };
    },
  },
  {
    method: 'post',
    path: '/api/wms/shipments',
    summary:
      'A WMS shipment (JSON): each line ships (part of) a finished lot to the customer; the same shipment again ships nothing more',
    tag: 'wms',
    roles: ['integrator', 'planner'],
    kind: 'command',
    body: 'wms/shipment',
    async handle(ctx) {
      // the route table has validated the body against wms/shipment
      const shipment = ctx.body as Shipment;
      return { body: { results: await shipGoods(deps, shipment, ctx.meta, ctx.requestId) } };
    },
  },
  {
    method: 'get',
    path: '/api/integration/outbox',
    summary: 'Delivery of ERP and WMS messages per destination: waiting, failing (with the first failure), delivered',
    tag: 'erp',
    roles: ['integrator', 'auditor'],
    kind: 'query',
    handle() {
      return Promise.resolve({
        body: { running: deps.outbox !== undefined, destinations: deps.outbox?.status() ?? [] },
      });
    },
  },
];
