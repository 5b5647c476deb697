import type { Directive } from '../aggregates';
import { evolveMachine, runningHoursAt, type MachineEvent, type MachineState } from '../machine';
import { dueKey, isOverdue, type Due, type MachineReading, type MaintenanceEvent } from '../maintenance';

/** What the overdue clock knows: each plan's current due period and alarm, each machine's hours and count. */
export type OverdueView = {
  plans: Readonly<Record<string, { planId: string; machineId: string; due: Due; alarmKey?: string }>>;
  machines: Readonly<Record<string, MachineState>>;
};

export const emptyOverdueView: OverdueView = { plans: {}, machines: {} };

export const evolveOverdueView = (view: OverdueView, event: MaintenanceEvent | MachineEvent): OverdueView => {
  switch (event.type) {
    case 'MaintenancePlanDefined': {
      const { planId, machineId, firstDue } = event.data;
      return { ...view, plans: { ...view.plans, [planId]: { planId, machineId, due: firstDue } } };
    }
    case 'MaintenancePerformed': {
      const plan = view.plans[event.data.planId];
      if (!plan) return view;
      return {
        ...view,
        plans: {
          ...view.plans,
          [plan.planId]: { planId: plan.planId, machineId: plan.machineId, due: event.data.nextDue },
        },
      };
    }
    case 'MaintenanceOverdue': {
      const plan = view.plans[event.data.planId];
      if (!plan) return view;
      return { ...view, plans: { ...view.plans, [plan.planId]: { ...plan, alarmKey: dueKey(event.data.due) } } };
    }
    case 'MaintenanceOverdueCleared':
      return view;
    default: {
      const machineId = event.data.machineId;
      const machine = view.machines[machineId] ?? { status: 'Initial' };
      return { ...view, machines: { ...view.machines, [machineId]: evolveMachine(machine, event) } };
    }
  }
};

/** A machine's running hours and units counted at `now`, as the view has folded them. */
export const readingAt = (view: OverdueView, machineId: string, now: string): MachineReading => {
  const machine = view.machines[machineId] ?? { status: 'Initial' };
  return {
    runningHours: runningHoursAt(machine, now),
    count: machine.status === 'Registered' ? (machine.countedTotal ?? 0) : 0,
  };
};

/**
 * Run on every tick of the clock: each plan whose due period has passed without the work being done
 * gets one alarm for that period. The plan itself refuses a second alarm for the same period.
 */
export const overdueAlarms = (view: OverdueView, now: string): Directive[] =>
  Object.values(view.plans).flatMap((plan): Directive[] => {
    if (!isOverdue(plan.due, now, readingAt(view, plan.machineId, now)) || plan.alarmKey === dueKey(plan.due))
      return [];
    return [
      {
        aggregate: 'maintenance',
        id: plan.planId,
        command: {
          type: 'RaiseOverdueAlarm',
          data: { planId: plan.planId, due: plan.due },
          meta: { now, actor: 'process:overdue-alarm' },
        },
      },
    ];
  });
