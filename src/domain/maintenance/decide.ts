import { IllegalStateError, NotFoundError, ValidationError } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import {
  dueKey,
  evolveMaintenance,
  maintenanceEventTypes,
  type Due,
  type MaintenanceCycle,
  type MaintenanceEvent,
  type MaintenanceState,
} from './events';

const DAY_MS = 86_400_000;

/**
 * `startsAt`: for calendar plans, when the cycle starts (default: now); `startRunningHours`: for
 * running-hour plans, the machine's hours now.
 */
export type DefineMaintenancePlan = Command<'DefineMaintenancePlan', Schema.DefineMaintenancePlanBody>;
/** `runningHours`: the machine's running hours when the work was done; required for running-hour plans. */
export type PerformMaintenance = Command<'PerformMaintenance', { planId: string } & Schema.PerformMaintenanceBody>;
/** Sent by the overdue clock for the due period it found passed. */
export type RaiseOverdueAlarm = Command<'RaiseOverdueAlarm', { planId: string; due: Due }>;

export type MaintenanceCommand = DefineMaintenancePlan | PerformMaintenance | RaiseOverdueAlarm;

const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();

const nextDue = (cycle: MaintenanceCycle, from: { at: string; runningHours?: number }): Due =>
  cycle.unit === 'days'
    ? { dueAt: addDays(from.at, cycle.every) }
    : { dueRunningHours: (from.runningHours ?? 0) + cycle.every };

/** Whether a plan's current due period has passed, at `now` with the machine at `runningHours`. */
export const isOverdue = (due: Due, now: string, runningHours: number): boolean =>
  'dueAt' in due ? Date.parse(now) > Date.parse(due.dueAt) : runningHours > due.dueRunningHours;

export const decideMaintenance = (command: MaintenanceCommand, state: MaintenanceState): MaintenanceEvent[] => {
  const { planId } = command.data;
  const now = command.meta.now;
  if (command.type === 'DefineMaintenancePlan') {
    if (state.status !== 'Initial')
      throw new IllegalStateError(`maintenance plan ${planId} already exists`, 'plan-exists');
    const { machineId, kind, title, cycle, startsAt, startRunningHours } = command.data;
    if (cycle.every <= 0)
      throw new ValidationError('a cycle must be positive', [{ path: '/cycle/every', message: 'must be > 0' }]);
    const firstDue = nextDue(cycle, { at: startsAt ?? now, runningHours: startRunningHours ?? 0 });
    return [
      { type: 'MaintenancePlanDefined', data: { planId, machineId, kind, title, cycle, firstDue, definedAt: now } },
    ];
  }
  if (state.status === 'Initial') throw new NotFoundError(`maintenance plan ${planId} does not exist`);
  switch (command.type) {
    case 'PerformMaintenance': {
      const performedAt = command.data.performedAt ?? now;
      const { runningHours } = command.data;
      if (state.cycle.unit === 'runningHours' && runningHours === undefined) {
        throw new ValidationError('a running-hour plan needs the machine’s running hours', [
          { path: '/runningHours', message: 'is required for this plan' },
        ]);
      }
      const late = isOverdue(state.due, performedAt, runningHours ?? 0);
      const performed: MaintenanceEvent = {
        type: 'MaintenancePerformed',
        data: {
          planId,
          machineId: state.machineId,
          performedAt,
          performedBy: command.meta.actor,
          late,
          nextDue: nextDue(state.cycle, { at: performedAt, ...(runningHours === undefined ? {} : { runningHours }) }),
          ...(runningHours === undefined ? {} : { runningHours }),
        },
      };
      if (!state.alarm) return [performed];
      return [
        performed,
        {
          type: 'MaintenanceOverdueCleared',
          data: {
            planId,
            machineId: state.machineId,
            due: state.alarm.due,
            raisedAt: state.alarm.raisedAt,
            clearedAt: performedAt,
          },
        },
      ];
    }
    case 'RaiseOverdueAlarm': {
      // once per due period: the clock may ask again, or for a period the work has since closed
      const asked = dueKey(command.data.due);
      if (asked !== dueKey(state.due) || (state.alarm && dueKey(state.alarm.due) === asked)) return [];
      return [
        {
          type: 'MaintenanceOverdue',
          data: { planId, machineId: state.machineId, title: state.title, due: state.due, raisedAt: now },
        },
      ];
    }
    default:
      return unreachable(command);
  }
};

export const maintenanceDecider: Decider<MaintenanceCommand, MaintenanceEvent, MaintenanceState> = {
  category: 'maintenance',
  initialState: { status: 'Initial' },
  decide: decideMaintenance,
  evolve: evolveMaintenance,
  eventTypes: maintenanceEventTypes,
};
