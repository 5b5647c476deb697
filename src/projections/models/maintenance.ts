import type { Projection } from '../runner';

/**
 * Maintenance: each plan with its next due and, when overdue, since when; each machine's state
 * history summed for MTBF (running time per failure) and MTTR (down time per repair).
 */
export const maintenanceProjection: Projection = {
  name: 'maintenance',
  version: 1,
  collections: { plans: { indexes: ['machineId', 'overdueSince'] }, machines: {} },
  eventTypes: [
    'MaintenancePlanDefined',
    'MaintenancePerformed',
    'MaintenanceOverdue',
    'MaintenanceOverdueCleared',
    'MachineRegistered',
    'MachineStateChanged',
  ],
  async apply(event, ctx) {
    switch (event.type) {
      case 'MaintenancePlanDefined': {
        const { planId, machineId, kind, title, cycle, firstDue } = event.data;
        return ctx.update('plans', planId, () => ({
          _id: planId,
          planId,
          machineId,
          kind,
          title,
          cycle,
          due: firstDue,
          overdueSince: null,
          lastPerformedAt: null,
          alarms: 0,
        }));
      }
      case 'MaintenancePerformed': {
        const { nextDue, performedAt } = event.data;
        return ctx.update(
          'plans',
          event.data.planId,
          (doc) => doc && Object.assign(doc, { due: nextDue, lastPerformedAt: performedAt, overdueSince: null }),
        );
      }
      case 'MaintenanceOverdue': {
        const { due, raisedAt } = event.data;
        // overdue since the due time passed (calendar plans) or since the alarm (running-hour plans)
        return ctx.update('plans', event.data.planId, (doc) => {
          if (!doc) return undefined;
          return Object.assign(doc, {
            overdueSince: 'dueAt' in due ? due.dueAt : raisedAt,
            alarmRaisedAt: raisedAt,
            alarms: (doc['alarms'] as number) + 1,
          });
        });
      }
      case 'MaintenanceOverdueCleared':
        return ctx.update('plans', event.data.planId, (doc) => doc && Object.assign(doc, { overdueSince: null }));
      case 'MachineRegistered': {
        const { machineId, name, workCenter, registeredAt } = event.data;
        return ctx.update('machines', machineId, () => ({
          _id: machineId,
          machineId,
          name,
          workCenter,
          state: 'idle',
          since: registeredAt,
          runningSeconds: 0,
          downSeconds: 0,
          failures: 0,
          repairs: 0,
        }));
      }
      case 'MachineStateChanged': {
        const { state, previous, previousSeconds: seconds, changedAt } = event.data;
        return ctx.update('machines', event.data.machineId, (doc) => {
          if (!doc) return undefined;
          if (previous === 'running') doc['runningSeconds'] = (doc['runningSeconds'] as number) + seconds;
          if (previous === 'down') {
            doc['downSeconds'] = (doc['downSeconds'] as number) + seconds;
            doc['repairs'] = (doc['repairs'] as number) + 1;
          }
          if (state === 'down') doc['failures'] = (doc['failures'] as number) + 1;
          return Object.assign(doc, { state, since: changedAt });
        });
      }
      default:
        return;
    }
  },
};
