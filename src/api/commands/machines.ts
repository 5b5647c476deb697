import { commandRoute, type RouteContext, type RouteSpec } from '../routes';
import { str, param, type CommandRoutesDeps } from './shared';

const machine = (ctx: RouteContext) => param(ctx, 'machineId');

/** Machines: registered by maintenance or planners; states, energy and counts from people or integrations. */
export const machineRoutes = (deps: CommandRoutesDeps): RouteSpec[] => [
  commandRoute({
    deps,
    path: '/api/machines',
    summary: 'Register a machine',
    tag: 'machines',
    roles: ['maintenance', 'planner', 'sysadmin'],
    body: 'commands/registerMachine',
    aggregate: 'machine',
    created: true,
    id: (ctx) => str(ctx, 'machineId'),
    command: (ctx) => ({ type: 'RegisterMachine', data: { idealCycleSeconds: [], ...ctx.body } }),
  }),
  commandRoute({
    deps,
    path: '/api/machines/:machineId/state',
    summary: 'Record a machine state change',
    tag: 'machines',
    roles: ['operator', 'maintenance', 'integrator'],
    body: 'commands/machineState',
    aggregate: 'machine',
    id: machine,
    command: (ctx) => ({ type: 'ChangeMachineState', data: { machineId: machine(ctx), ...ctx.body } }),
  }),
  commandRoute({
    deps,
    path: '/api/machines/:machineId/energy',
    summary: 'Record energy over an interval',
    tag: 'machines',
    roles: ['maintenance', 'integrator'],
    body: 'commands/energyReading',
    aggregate: 'machine',
    id: machine,
    command: (ctx) => ({ type: 'RecordEnergy', data: { machineId: machine(ctx), ...ctx.body } }),
  }),
  commandRoute({
    deps,
    path: '/api/machines/:machineId/counts',
    summary: 'Record units counted over an interval',
    tag: 'machines',
    roles: ['maintenance', 'integrator'],
    body: 'commands/countReading',
    aggregate: 'machine',
    id: machine,
    command: (ctx) => ({ type: 'RecordCount', data: { machineId: machine(ctx), ...ctx.body } }),
  }),
];
