import type { Directive } from '../aggregates';
import { metaFor, type Trigger } from './types';

/** The events the health process reacts to. */
export const healthEvents = [
  'TelemetryRecorded',
  'MaintenancePerformed',
  'CorrectiveRequestClosed',
  'EquipmentHealthDegraded',
] as const;

/** The reason code of a corrective request opened by a health warning: names the signal. */
export const healthReasonCode = (signal: string): string => `health:${signal}`.slice(0, 100);
// (isHealthRequest in ../maintenance/corrective recognises it)

/**
 * Equipment health: each telemetry interval goes to the machine's health charts (`health-<machineId>`,
 * which combine the intervals of each hour); maintenance performed on the machine, or its
 * corrective request closed, re-learns the baselines; a degradation warning opens a corrective
 * request on the machine (reason `health:<signal>`), unless one is open already.
 */
export const healthProcess = (trigger: Trigger): Directive[] => {
  const meta = metaFor(trigger, 'health');
  switch (trigger.type) {
    case 'TelemetryRecorded': {
      const { machineId, intervalStart, intervalEnd, signals } = trigger.data;
      return [
        {
          aggregate: 'health',
          id: machineId,
          command: {
            type: 'EvaluateHealth',
            data: {
              machineId,
              intervalStart,
              intervalEnd,
              signals: signals.map(({ signal, count, mean, rms }) => ({ signal, count, mean, rms })),
            },
            meta,
          },
        },
      ];
    }
    case 'MaintenancePerformed': {
      const { machineId, planId, performedAt } = trigger.data;
      return [
        {
          aggregate: 'health',
          id: machineId,
          command: {
            type: 'ResetHealthBaseline',
            data: { machineId, reason: 'maintenance', reference: `${planId}@${performedAt}` },
            meta,
          },
        },
      ];
    }
    case 'CorrectiveRequestClosed': {
      const { machineId, requestId, restoredTo } = trigger.data;
      // a warning's request superseded by the breakdown: the machine is down, its repair re-learns
      if (restoredTo === 'down') return [];
      return [
        {
          aggregate: 'health',
          id: machineId,
          command: { type: 'ResetHealthBaseline', data: { machineId, reason: 'repair', reference: requestId }, meta },
        },
      ];
    }
    case 'EquipmentHealthDegraded': {
      const { machineId, signal, detectedAt } = trigger.data;
      return [
        {
          aggregate: 'corrective',
          id: machineId,
          command: {
            type: 'OpenCorrectiveRequest',
            data: { machineId, openedAt: detectedAt, reasonCode: healthReasonCode(signal) },
            meta,
          },
        },
      ];
    }
    default:
      return [];
  }
};
