import { dueKey } from '../domain/maintenance';
import {
  emptyOverdueView,
  evolveOverdueView,
  machineDownAlerts,
  overdueAlarms,
  type OverdueView,
} from '../domain/processes';
import type { MachineEvent } from '../domain/machine';
import type { MaintenanceEvent } from '../domain/maintenance';
import { isKnownError } from '../domain/errors';
import type { CommandHandler } from './commandHandler';
import { readPages, type EventStore, type Position } from './eventStore';
import type { Logger } from '../lib/logger';

export type OverdueClock = {
  /** Reads what is new, then raises the alarms due at `now` (and machine-down alerts); returns how many alarms it raised. */
  check(now: string): Promise<number>;
  stop(): void;
};

const FILTER = { streamPrefixes: ['maintenance-', 'machine-'] };

/**
 * The overdue alarm, driven by a clock: every `intervalMs` it folds new plan and machine events into
 * its view and raises an alarm for each plan past due. The command id names the due period, so the
 * same period never alarms twice, whoever's clock asks.
 */
export const startOverdueClock = (deps: {
  store: EventStore;
  commands: CommandHandler;
  logger: Logger;
  clock: () => Date;
  /** Default 60 s; 0 or less: only explicit check() calls. */
  intervalMs?: number;
  /** Machines down longer than `minutes` raise an alert on the same ticks (ALERT_MACHINE_DOWN_MINUTES). Default: off. */
  machineDown?: { minutes: number; timeZone: string };
}): OverdueClock => {
  let view: OverdueView = emptyOverdueView;
  let position: Position | undefined;
  const check = async (now: string): Promise<number> => {
    for await (const page of readPages(deps.store, { after: position, filter: FILTER })) {
      for (const event of page.events)
        view = evolveOverdueView(view, { type: event.type, data: event.data } as MaintenanceEvent | MachineEvent);
      position = page.checkpoint ?? position;
    }
    let raised = 0;
    for (const directive of overdueAlarms(view, now)) {
      if (directive.command.type !== 'RaiseOverdueAlarm') continue;
      const commandId = `overdue:${directive.id}:${dueKey(directive.command.data.due)}`;
      try {
        const result = await deps.commands.execute(directive, {
          commandId,
          correlationId: commandId,
          source: 'system',
        });
        raised += result.events.length > 0 ? 1 : 0;
      } catch (error) {
        if (!isKnownError(error)) throw error;
        deps.logger.warn('overdue alarm refused', { plan: directive.id, error: error.message });
      }
    }
    if (deps.machineDown) {
      const { minutes, timeZone } = deps.machineDown;
      // the alert's id names the machine and when it went down: one alert per down period
      for (const directive of machineDownAlerts(view, now, minutes, timeZone)) {
        const commandId = `alert:${directive.id}`;
        await deps.commands.execute(directive, { commandId, correlationId: commandId, source: 'system' });
      }
    }
    return raised;
  };
  const interval = deps.intervalMs ?? 60_000;
  const timer =
    interval > 0
      ? setInterval(() => {
          check(deps.clock().toISOString()).catch((error: unknown) =>
            deps.logger.error('overdue check failed', { error }),
          );
        }, interval)
      : undefined;
  timer?.unref();
  return { check, stop: () => clearInterval(timer) };
};
