import type { Directive } from '../aggregates';
import { equipmentHealthAlert, inspectionFailedAlert, machineDownAlert, maintenanceOverdueAlert } from '../alert';
import type { OverdueView } from './overdueAlarm';
import { metaFor, type Trigger } from './types';

/** The events the alert rules react to; a machine down too long is found by the clock (machineDownAlerts). */
export const alertEvents = ['MaintenanceOverdue', 'InspectionFailed', 'EquipmentHealthDegraded'] as const;

/**
 * Alerts from events: a maintenance plan's overdue alarm, a failed inspection and a machine's health
 * warning (EquipmentHealthDegraded, once per degradation episode) each raise one alert
 * on the occurrence's own stream (`alert-<alertId>`), which refuses a second raise. An event that
 * happened before `notBefore` raises none (the rules reading a plant's history for the first time).
 */
export const alertRules =
  (timeZone: string, notBefore?: string) =>
  (trigger: Trigger): Directive[] => {
    if (notBefore !== undefined && Date.parse(trigger.occurredAt) < Date.parse(notBefore)) return [];
    const meta = metaFor(trigger, 'alerts');
    const raise = (data: ReturnType<typeof inspectionFailedAlert>): Directive[] => [
      { aggregate: 'alert', id: data.alertId, command: { type: 'RaiseAlert', data, meta } },
    ];
    switch (trigger.type) {
      case 'MaintenanceOverdue':
        return raise(maintenanceOverdueAlert(trigger.data, timeZone));
      case 'InspectionFailed':
        return raise(inspectionFailedAlert(trigger.data));
      case 'EquipmentHealthDegraded':
        return raise(equipmentHealthAlert(trigger.data));
      default:
        return [];
    }
  };

/**
 * Run on every tick of the overdue clock: each machine down for longer than `minutes` at `now` gets
 * one alert for that down period (its id names the machine and when it went down), however many
 * ticks, clocks or restarts ask.
 */
export const machineDownAlerts = (view: OverdueView, now: string, minutes: number, timeZone: string): Directive[] =>
  Object.values(view.machines).flatMap((machine): Directive[] => {
    if (machine.status !== 'Registered' || machine.state !== 'down') return [];
    if (Date.parse(now) - Date.parse(machine.since) <= minutes * 60_000) return [];
    const data = machineDownAlert(
      {
        machineId: machine.machineId,
        since: machine.since,
        ...(machine.reasonCode ? { reasonCode: machine.reasonCode } : {}),
      },
      minutes,
      timeZone,
    );
    return [
      {
        aggregate: 'alert',
        id: data.alertId,
        command: { type: 'RaiseAlert', data, meta: { now, actor: 'process:alerts' } },
      },
    ];
  });
