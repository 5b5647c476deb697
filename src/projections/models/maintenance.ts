import { isHealthRequest } from '../../domain/maintenance/corrective';
import type { Document } from '../../app/readStore';
import { andThen, type Projection } from '../runner';

/** How many maintenance bookings and plan performances a machine document keeps (the latest). */
const KEEP = 1000;
const num = (doc: Document, field: string): number => (doc[field] as number | undefined) ?? 0;
const pushCapped = (doc: Document, field: string, item: Record<string, string>): void => {
  const list = [...((doc[field] as unknown[] | undefined) ?? []), item];
  doc[field] = list.slice(Math.max(0, list.length - KEEP));
};

/**
 * Maintenance: each plan with its next due and, when overdue, since when; each corrective request
 * (a breakdown and its repair); each machine's running seconds, units counted, requests opened and
 * closed with their repair seconds (MTBF, MTTR), its bookings in state `maintenance` and the plan
 * work performed on it (to flag maintenance booked without a plan or a breakdown).
 */
export const maintenanceProjection: Projection = {
  name: 'maintenance',
  version: 3,
  collections: {
    plans: { indexes: ['machineId', 'overdueSince'] },
    machines: {},
    requests: { indexes: ['machineId', 'status'] },
  },
  eventTypes: [
    'MaintenancePlanDefined',
    'MaintenancePerformed',
    'MaintenanceOverdue',
    'MaintenanceOverdueCleared',
    'MachineRegistered',
    'MachineStateChanged',
    'ProductionCounted',
    'CorrectiveRequestOpened',
    'CorrectiveRequestClosed',
  ],
  // not async: most events change one document in memory, and return its update without an await
  apply(event, ctx) {
    switch (event.type) {
      case 'MaintenancePlanDefined': {
        const { planId, machineId, kind, title, cycle, firstDue, startRunningHours, startCount, definedAt, checklist } =
          event.data;
        return ctx.update('plans', planId, () => ({
          _id: planId,
          planId,
          machineId,
          kind,
          title,
          cycle,
          due: firstDue,
          definedAt,
          ...(startRunningHours === undefined ? {} : { startRunningHours }),
          ...(startCount === undefined ? {} : { startCount }),
          // recorded only by plans with a checklist: the office ticks each item when the work is done
          ...(checklist ? { checklist } : {}),
          overdueSince: null,
          lastPerformedAt: null,
          alarms: 0,
        }));
      }
      case 'MaintenancePerformed': {
        const { planId, machineId, nextDue, performedAt } = event.data;
        const performed = ctx.update('machines', machineId, (doc) => {
          if (!doc) return undefined;
          pushCapped(doc, 'performances', { planId, at: performedAt });
          return doc;
        });
        return andThen(performed, () =>
          ctx.update(
            'plans',
            planId,
            (doc) => doc && Object.assign(doc, { due: nextDue, lastPerformedAt: performedAt, overdueSince: null }),
          ),
        );
      }
      case 'MaintenanceOverdue': {
        const { due, raisedAt } = event.data;
        // overdue since the due time passed (calendar and fixed-date plans) or since the alarm (hours, counts)
        return ctx.update('plans', event.data.planId, (doc) => {
          if (!doc) return undefined;
          return Object.assign(doc, {
            overdueSince: 'dueAt' in due ? due.dueAt : raisedAt,
            alarmRaisedAt: raisedAt,
            alarms: num(doc, 'alarms') + 1,
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
          countedTotal: 0,
          failures: 0,
          repairs: 0,
          repairSeconds: 0,
          openRequest: null,
          maintenanceBookings: [],
          performances: [],
        }));
      }
      case 'MachineStateChanged': {
        const { state, previous, previousSeconds: seconds, changedAt } = event.data;
        return ctx.update('machines', event.data.machineId, (doc) => {
          if (!doc) return undefined;
          if (previous === 'running') doc['runningSeconds'] = num(doc, 'runningSeconds') + seconds;
          if (previous === 'maintenance') {
            const from = new Date(Date.parse(changedAt) - seconds * 1000).toISOString();
            pushCapped(doc, 'maintenanceBookings', { from, to: changedAt });
          }
          return Object.assign(doc, { state, since: changedAt });
        });
      }
      case 'ProductionCounted':
        return ctx.update(
          'machines',
          event.data.machineId,
          (doc) => doc && Object.assign(doc, { countedTotal: num(doc, 'countedTotal') + event.data.total }),
        );
      case 'CorrectiveRequestOpened': {
        const { requestId, machineId, openedAt, reasonCode } = event.data;
        const counted = ctx.update('machines', machineId, (doc) => {
          if (!doc) return undefined;
          // a health warning's request is no failure (the breakdown it may foretell is)
          const failures = num(doc, 'failures') + (isHealthRequest(reasonCode) ? 0 : 1);
          return Object.assign(doc, { failures, openRequest: requestId });
        });
        return andThen(counted, () =>
          ctx.update('requests', requestId, () => ({
            _id: requestId,
            requestId,
            machineId,
            status: 'open',
            openedAt,
            reasonCode: reasonCode ?? null,
            closedAt: null,
            repairSeconds: null,
          })),
        );
      }
      case 'CorrectiveRequestClosed': {
        const { requestId, machineId, closedAt, repairSeconds, restoredTo } = event.data;
        const repaired = ctx.update('machines', machineId, (doc) => {
          if (!doc) return undefined;
          // a warning's request superseded by a breakdown (restored to `down`) is no repair
          if (restoredTo === 'down') return doc;
          return Object.assign(doc, {
            repairs: num(doc, 'repairs') + 1,
            repairSeconds: num(doc, 'repairSeconds') + repairSeconds,
            openRequest: null,
          });
        });
        return andThen(repaired, () =>
          ctx.update(
            'requests',
            requestId,
            (doc) => doc && Object.assign(doc, { status: 'closed', closedAt, repairSeconds, restoredTo }),
          ),
        );
      }
      default:
        return;
    }
  },
};
