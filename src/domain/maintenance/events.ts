import type * as Schema from '../generated';
import type { Event } from '../messages';

export type MaintenanceCycle = Schema.Cycle;

/** Where a plan falls due: an instant (calendar plans) or a machine's running hours. */
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
    };

/** A due period's identity: an alarm is raised at most once per key. */
export const dueKey = (due: Due): string => ('dueAt' in due ? `at:${due.dueAt}` : `hours:${due.dueRunningHours}`);

export const evolveMaintenance = (state: MaintenanceState, event: MaintenanceEvent): MaintenanceState => {
  if (event.type === 'MaintenancePlanDefined') {
    const { planId, machineId, title, cycle, firstDue } = event.data;
    return { status: 'Active', planId, machineId, title, cycle, due: firstDue };
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
