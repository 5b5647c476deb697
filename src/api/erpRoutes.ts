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
      const results = await importSchedule(deps, deps.readSchedule(ctx.req.body, type), ctx.meta, ctx.requestId);
      return { body: { results } };
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
