import type * as Schema from '../generated';
import type { Event } from '../messages';

/** Every so many days, running hours or counted units, or on fixed dates (statutory inspections). */
export type MaintenanceCycle = Schema.Cycle;

/**
 * Where a plan falls due: an instant (calendar and fixed-date plans), the machine's running hours or
 * its counter, or `finished` (a fixed-date plan whose every date is performed).
 */
export type Due = Schema.Due;

/** `kind`: maintenance, or an inspection round (点检). */
export type MaintenancePlanDefined = Event<'MaintenancePlanDefined', Schema.MaintenancePlanDefinedV1>;
export type MaintenancePerformed = Event<'MaintenancePerformed', Schema.MaintenancePerformedV1>;
export type MaintenanceOverdue = Event<'MaintenanceOverdue', Schema.MaintenanceOverdueV1>;
export type MaintenanceOverdueCleared = Event<'MaintenanceOverdueCleared', Schema.MaintenanceOverdueClearedV1>;

export type MaintenanceEvent =
  MaintenancePlanDefined | MaintenancePerformed | MaintenanceOverdue | MaintenanceOverdueCleared;

export const maintenanceEventTypes = [
  'MaintenancePlanDefined',
  'MaintenancePerformed',
  'MaintenanceOverdue',
  'MaintenanceOverdueCleared',
] as const satisfies readonly MaintenanceEvent['type'][];

export type MaintenanceState =
  | { status: 'Initial' }
  | {
      status: 'Active';
      planId: string;
      machineId: string;
      title: string;
      cycle: MaintenanceCycle;
      due: Due;
      alarm?: { due: Due; raisedAt: string };
      lastPerformedAt?: string;
      /** The items to tick each time the work is recorded. */
      checklist?: string[];
    };

/** What a machine has done up to an instant: its running hours and the units it has counted. */
export type MachineReading = { runningHours: number; count: number };

/** A due period's identity: an alarm is raised at most once per key. */
export const dueKey = (due: Due): string => {
  if ('dueAt' in due) return `at:${due.dueAt}`;
  if ('dueRunningHours' in due) return `hours:${due.dueRunningHours}`;
  if ('dueCount' in due) return `count:${due.dueCount}`;
  return 'finished';
};

/** Whether a plan's current due period has passed, at `now` with the machine at `reading`. */
export const isOverdue = (due: Due, now: string, reading: MachineReading): boolean => {
  if ('dueAt' in due) return Date.parse(now) > Date.parse(due.dueAt);
  if ('dueRunningHours' in due) return reading.runningHours > due.dueRunningHours;
  if ('dueCount' in due) return reading.count > due.dueCount;
  return false;
};

export const evolveMaintenance = (state: MaintenanceState, event: MaintenanceEvent): MaintenanceState => {
  if (event.type === 'MaintenancePlanDefined') {
    const { planId, machineId, title, cycle, firstDue, checklist } = event.data;
    return { status: 'Active', planId, machineId, title, cycle, due: firstDue, ...(checklist ? { checklist } : {}) };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'MaintenancePerformed': {
      const { alarm: _cleared, ...rest } = state;
      return { ...rest, due: event.data.nextDue, lastPerformedAt: event.data.performedAt };
    }
    case 'MaintenanceOverdue':
      return { ...state, alarm: { due: event.data.due, raisedAt: event.data.raisedAt } };
    case 'MaintenanceOverdueCleared':
      return state;
  }
};
