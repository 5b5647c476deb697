import type { CommandHandler } from '../app/commandHandler';
import { operatorFor, type ScanService } from '../app/scans';
import { runningHoursAt } from '../domain/machine';
import type { OrderSpec } from '../domain/order';
import { commandAnswer, commandContext, commandRoute, type RouteContext, type RouteSpec } from './routes';

const str = (ctx: RouteContext, name: string): string => ctx.body[name] as string;
const optional = <T>(value: T | undefined, name: string): Record<string, T> =>
  value === undefined ? {} : { [name]: value };

const specOf = (body: Record<string, unknown>): OrderSpec => {
  const { orderId: _id, overrunTolerance, ...rest } = body as Record<string, unknown> & { overrunTolerance?: number };
  return {
    ...(rest as Omit<OrderSpec, 'overrunTolerance' | 'source'>),
    overrunTolerance: overrunTolerance ?? 0,
    source: 'planner',
  };
};

/** The command routes: PDAs, planners, quality, maintenance and integrations write through them. */
export const commandRoutes = (deps: { commands: CommandHandler; scans: ScanService }): RouteSpec[] => {
  const d = { commands: deps.commands };
  const order = (ctx: RouteContext) => ctx.params['orderId'] as string;
  const orderStep = (name: string, summary: string, type: 'ReleaseOrder' | 'ResumeOrder' | 'CloseOrder'): RouteSpec =>
    commandRoute({
      deps: d,
      path: `/api/orders/:orderId/${name}`,
      summary,
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/empty',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type, data: { orderId: order(ctx) } }),
    });
  const operation = (ctx: RouteContext) => ({ orderId: order(ctx), operationId: ctx.params['operationId'] as string });
  const lot = (ctx: RouteContext) => ctx.params['lotId'] as string;
  const machine = (ctx: RouteContext) => ctx.params['machineId'] as string;
  const lotStep = (
    name: string,
    summary: string,
    type: 'QuarantineLot' | 'ReleaseLot' | 'ScrapLot' | 'ReturnLotToSupplier',
  ): RouteSpec =>
    commandRoute({
      deps: d,
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
      deps: d,
      path: '/api/orders',
      summary: 'Plan a production order',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/planOrder',
      aggregate: 'order',
      created: true,
      id: (ctx) => str(ctx, 'orderId'),
      command: (ctx) => ({ type: 'PlanOrder', data: { orderId: str(ctx, 'orderId'), spec: specOf(ctx.body) } }),
    }),
    commandRoute({
      deps: d,
      method: 'put',
      path: '/api/orders/:orderId',
      summary: 'Revise a planned or released order',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/reviseOrder',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type: 'ReviseOrder', data: { orderId: order(ctx), spec: specOf(ctx.body) } }),
    }),
    orderStep('release', 'Release an order', 'ReleaseOrder'),
    orderStep('resume', 'Resume an order on hold', 'ResumeOrder'),
    orderStep('close', 'Close a completed order', 'CloseOrder'),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/hold',
      summary: 'Put an order on hold',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/reason',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type: 'HoldOrder', data: { orderId: order(ctx), reason: str(ctx, 'reason') } }),
    }),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/cancel',
      summary: 'Cancel an order',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/reason',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type: 'CancelOrder', data: { orderId: order(ctx), reason: str(ctx, 'reason') } }),
    }),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/reprioritise',
      summary: 'Change an order’s customer priority',
      tag: 'orders',
      roles: ['planner'],
      body: 'commands/reprioritise',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({
        type: 'ReprioritiseOrder',
        data: { orderId: order(ctx), priority: ctx.body['priority'] as number },
      }),
    }),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/operations/:operationId/start',
      summary: 'Start an operation',
      tag: 'operations',
      roles: ['operator'],
      body: 'commands/startOperation',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({
        type: 'StartOperation',
        data: {
          ...operation(ctx),
          ...optional(ctx.body['machineId'] as string | undefined, 'machineId'),
          ...optional(operatorFor(ctx.principal, ctx.body['operatorId'] as string | undefined), 'operatorId'),
        },
      }),
    }),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/operations/:operationId/pause',
      summary: 'Pause an operation',
      tag: 'operations',
      roles: ['operator'],
      body: 'commands/optionalReason',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({
        type: 'PauseOperation',
        data: { ...operation(ctx), ...optional(ctx.body['reason'] as string | undefined, 'reason') },
      }),
    }),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/operations/:operationId/resume',
      summary: 'Resume an operation',
      tag: 'operations',
      roles: ['operator'],
      body: 'commands/empty',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type: 'ResumeOperation', data: operation(ctx) }),
    }),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/operations/:operationId/report',
      summary: 'Report good, scrap and rework',
      tag: 'operations',
      roles: ['operator'],
      body: 'commands/reportQuantity',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({
        type: 'ReportQuantity',
        data: {
          ...operation(ctx),
          good: ctx.body['good'] as number,
          scrap: ctx.body['scrap'] as number,
          rework: ctx.body['rework'] as number,
          ...optional(ctx.body['scrapReason'] as string | undefined, 'scrapReason'),
        },
      }),
    }),
    commandRoute({
      deps: d,
      path: '/api/orders/:orderId/operations/:operationId/complete',
      summary: 'Complete an operation',
      tag: 'operations',
      roles: ['operator'],
      body: 'commands/empty',
      aggregate: 'order',
      id: order,
      command: (ctx) => ({ type: 'CompleteOperation', data: operation(ctx) }),
    }),
    {
      method: 'post',
      path: '/api/scans',
      summary: 'A PDA scan of an operation card: start, pause, resume, report or complete, clocking the operator',
      tag: 'operations',
      roles: ['operator'],
      kind: 'command',
      body: 'commands/scan',
      async handle(ctx) {
        const outcome = await deps.scans.handle(ctx.body as never, ctx.principal, ctx.meta, ctx.requestId);
        return {
          body: {
            orderId: outcome.orderId,
            operationId: outcome.operationId,
            results: outcome.results.map(commandAnswer),
          },
        };
      },
    },
    commandRoute({
      deps: d,
      path: '/api/lots',
      summary: 'Receive a material lot',
      tag: 'lots',
      roles: ['planner', 'integrator'],
      body: 'commands/receiveLot',
      aggregate: 'lot',
      created: true,
      id: (ctx) => str(ctx, 'lotId'),
      command: (ctx) => ({ type: 'ReceiveLot', data: { ...ctx.body, source: 'manual' } as never }),
    }),
    commandRoute({
      deps: d,
      path: '/api/lots/produced',
      summary: 'Record an order’s finished goods as a lot',
      tag: 'lots',
      roles: ['operator', 'planner'],
      body: 'commands/produceLot',
      aggregate: 'lot',
      created: true,
      id: (ctx) => str(ctx, 'lotId'),
      command: (ctx) => ({ type: 'ProduceLot', data: ctx.body as never }),
    }),
    commandRoute({
      deps: d,
      path: '/api/lots/:lotId/issue',
      summary: 'Issue material to an order operation',
      tag: 'lots',
      roles: ['operator'],
      body: 'commands/issueLot',
      aggregate: 'lot',
      id: lot,
      command: (ctx) => ({
        type: 'IssueLot',
        data: {
          lotId: lot(ctx),
          orderId: str(ctx, 'orderId'),
          operationId: str(ctx, 'operationId'),
          quantity: ctx.body['quantity'] as number,
        },
      }),
    }),
    lotStep('quarantine', 'Quarantine a lot', 'QuarantineLot'),
    lotStep('release', 'Release a quarantined lot', 'ReleaseLot'),
    lotStep('scrap', 'Scrap a lot', 'ScrapLot'),
    lotStep('return', 'Return a bought lot to its supplier', 'ReturnLotToSupplier'),
    commandRoute({
      deps: d,
      path: '/api/inspections',
      summary: 'Request an inspection',
      tag: 'quality',
      roles: ['operator', 'quality'],
      body: 'commands/requestInspection',
      aggregate: 'inspection',
      created: true,
      id: (ctx) => str(ctx, 'inspectionId'),
      command: (ctx) => ({ type: 'RequestInspection', data: { ...ctx.body, reason: 'operator' } as never }),
    }),
    commandRoute({
      deps: d,
      path: '/api/inspections/:inspectionId/results',
      summary: 'Record inspection results',
      tag: 'quality',
      roles: ['quality'],
      body: 'commands/inspectionResults',
      aggregate: 'inspection',
      id: (ctx) => ctx.params['inspectionId'] as string,
      command: (ctx) => ({
        type: 'RecordInspectionResults',
        data: { inspectionId: ctx.params['inspectionId'] as string, results: ctx.body['results'] as never },
      }),
    }),
    commandRoute({
      deps: d,
      path: '/api/nonconformances/:nonconformanceId/disposition',
      summary: 'Decide a disposition (use as is needs the quality role)',
      tag: 'quality',
      roles: ['quality', 'planner'],
      body: 'commands/disposition',
      aggregate: 'nonconformance',
      id: (ctx) => ctx.params['nonconformanceId'] as string,
      command: (ctx) => ({
        type: 'DecideDisposition',
        data: {
          nonconformanceId: ctx.params['nonconformanceId'] as string,
          disposition: ctx.body['disposition'] as never,
          ...optional(ctx.body['note'] as string | undefined, 'note'),
        },
      }),
    }),
    commandRoute({
      deps: d,
      path: '/api/machines',
      summary: 'Register a machine',
      tag: 'machines',
      roles: ['maintenance', 'planner', 'sysadmin'],
      body: 'commands/registerMachine',
      aggregate: 'machine',
      created: true,
      id: (ctx) => str(ctx, 'machineId'),
      command: (ctx) => ({ type: 'RegisterMachine', data: { idealCycleSeconds: [], ...ctx.body } as never }),
    }),
    commandRoute({
      deps: d,
      path: '/api/machines/:machineId/state',
      summary: 'Record a machine state change',
      tag: 'machines',
      roles: ['operator', 'maintenance', 'integrator'],
      body: 'commands/machineState',
      aggregate: 'machine',
      id: machine,
      command: (ctx) => ({ type: 'ChangeMachineState', data: { machineId: machine(ctx), ...ctx.body } as never }),
    }),
    commandRoute({
      deps: d,
      path: '/api/machines/:machineId/energy',
      summary: 'Record energy over an interval',
      tag: 'machines',
      roles: ['maintenance', 'integrator'],
      body: 'commands/energyReading',
      aggregate: 'machine',
      id: machine,
      command: (ctx) => ({ type: 'RecordEnergy', data: { machineId: machine(ctx), ...ctx.body } as never }),
    }),
    commandRoute({
      deps: d,
      path: '/api/machines/:machineId/counts',
      summary: 'Record units counted over an interval',
      tag: 'machines',
      roles: ['maintenance', 'integrator'],
      body: 'commands/countReading',
      aggregate: 'machine',
      id: machine,
      command: (ctx) => ({ type: 'RecordCount', data: { machineId: machine(ctx), ...ctx.body } as never }),
    }),
    commandRoute({
      deps: d,
      path: '/api/maintenance-plans',
      summary: 'Define a maintenance or inspection plan',
      tag: 'maintenance',
      roles: ['maintenance'],
      body: 'commands/defineMaintenancePlan',
      aggregate: 'maintenance',
      created: true,
      id: (ctx) => str(ctx, 'planId'),
      command: (ctx) => ({ type: 'DefineMaintenancePlan', data: ctx.body as never }),
    }),
    {
      method: 'post',
      path: '/api/maintenance-plans/:planId/perform',
      summary: 'Record a plan’s work performed (running hours read from the machine when not given)',
      tag: 'maintenance',
      roles: ['maintenance'],
      kind: 'command',
      body: 'commands/performMaintenance',
      async handle(ctx) {
        const planId = ctx.params['planId'] as string;
        const plan = (await deps.commands.load('maintenance', planId)).state;
        let runningHours = ctx.body['runningHours'] as number | undefined;
        if (runningHours === undefined && plan.status === 'Active' && plan.cycle.unit === 'runningHours') {
          const machine = (await deps.commands.load('machine', plan.machineId)).state;
          runningHours = runningHoursAt(machine, (ctx.body['performedAt'] as string | undefined) ?? ctx.meta.now);
        }
        const data = {
          planId,
          ...optional(ctx.body['performedAt'] as string | undefined, 'performedAt'),
          ...optional(runningHours, 'runningHours'),
        };
        const result = await deps.commands.handle(
          'maintenance',
          planId,
          { type: 'PerformMaintenance', data, meta: ctx.meta },
          commandContext(ctx, 'api'),
        );
        return { body: commandAnswer(result), revision: result.revision };
      },
    },
  ];
};
