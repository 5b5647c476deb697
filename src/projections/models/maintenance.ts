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
    const d = event.data;
    switch (event.type) {
      case 'MaintenancePlanDefined':
        return ctx.update('plans', d['planId'] as string, () => ({
          _id: d['planId'] as string,
          planId: d['planId'],
          machineId: d['machineId'],
          kind: d['kind'],
          title: d['title'],
          cycle: d['cycle'],
          due: d['firstDue'],
          overdueSince: null,
          lastPerformedAt: null,
          alarms: 0,
        }));
      case 'MaintenancePerformed':
        return ctx.update(
          'plans',
          d['planId'] as string,
          (doc) =>
            doc && Object.assign(doc, { due: d['nextDue'], lastPerformedAt: d['performedAt'], overdueSince: null }),
        );
      case 'MaintenanceOverdue':
        // overdue since the due time passed (calendar plans) or since the alarm (running-hour plans)
        return ctx.update('plans', d['planId'] as string, (doc) => {
          if (!doc) return undefined;
          const due = d['due'] as { dueAt?: string };
          return Object.assign(doc, {
            overdueSince: due.dueAt ?? d['raisedAt'],
            alarmRaisedAt: d['raisedAt'],
            alarms: (doc['alarms'] as number) + 1,
          });
        });
      case 'MaintenanceOverdueCleared':
        return ctx.update('plans', d['planId'] as string, (doc) => doc && Object.assign(doc, { overdueSince: null }));
      case 'MachineRegistered':
        return ctx.update('machines', d['machineId'] as string, () => ({
          _id: d['machineId'] as string,
          machineId: d['machineId'],
          name: d['name'],
          workCenter: d['workCenter'],
          state: 'idle',
          since: d['registeredAt'],
          runningSeconds: 0,
          downSeconds: 0,
          failures: 0,
          repairs: 0,
        }));
      case 'MachineStateChanged':
        return ctx.update('machines', d['machineId'] as string, (doc) => {
          if (!doc) return undefined;
          const seconds = d['previousSeconds'] as number;
          if (d['previous'] === 'running') doc['runningSeconds'] = (doc['runningSeconds'] as number) + seconds;
          if (d['previous'] === 'down') {
            doc['downSeconds'] = (doc['downSeconds'] as number) + seconds;
            doc['repairs'] = (doc['repairs'] as number) + 1;
          }
          if (d['state'] === 'down') doc['failures'] = (doc['failures'] as number) + 1;
          return Object.assign(doc, { state: d['state'], since: d['changedAt'] });
        });
      default:
        return;
    }
  },
};
