import {
  alertEvents,
  alertRules,
  correctiveRequestEvents,
  correctiveRequests,
  dispatch,
  dispatchEvents,
  qualityLoop,
  qualityLoopEvents,
} from '../domain/processes';
import { clockingEvents, clockOutEvents, clockOuts, emptyClockings, evolveClockings } from '../domain/processes';
import { emptySpcView, evolveSpcView, spcEvents, spcProcess, spcViewEvents } from '../domain/processes';
import { healthEvents, healthProcess } from '../domain/processes';
import type { CheckpointStore } from '../app/checkpoints';
import { createCommandHandler, type CommandHandler } from '../app/commandHandler';
import { withLotRules } from '../app/lots/gate';
import { withMasterData } from '../app/masterData/gate';
import { withMachineReadings } from '../app/machineReadings';
import type { EventStore } from '../app/eventStore';
import type { Logger } from '../lib/logger';
import { startOverdueClock, type OverdueClock } from '../app/overdueClock';
import { startProcess, type RunningProcess } from '../app/processRunner';
import type { CardKeySource } from '../app/operationCards';
import { createScanService, type ScanService } from '../app/scans';

export type Services = {
  commands: CommandHandler;
  scans: ScanService;
  processes: RunningProcess[];
  overdue: OverdueClock;
  /** Resolves once every process manager has handled every event written so far, and what that caused. */
  settle(): Promise<void>;
  stop(): Promise<void>;
};

export type ServicesOptions = {
  store: EventStore;
  checkpoints: CheckpointStore;
  logger: Logger;
  /** Signs and verifies operation cards: the card keys (a bare key in tests). */
  cardKey: CardKeySource;
  clock: () => Date;
  /** How often the overdue clock looks; 0: only when asked. Default 60 s. */
  overdueIntervalMs?: number;
  /** How far ahead of the server's time a client's time may be. Default 5 min. */
  clientClockSkewMs?: number;
  /** The alert rules: a machine down this many minutes raises an alert; texts in the plant's zone. Default: no alerts. */
  alerts?: { machineDownMinutes: number; timeZone: string };
};

/** The write side of one process: commands, scans, the process managers and the overdue clock. */
export const startServices = async (options: ServicesOptions): Promise<Services> => {
  const commands = withMachineReadings(
    withMasterData(
      withLotRules(
        createCommandHandler({
          store: options.store,
          ...(options.clientClockSkewMs === undefined ? {} : { clientClockSkewMs: options.clientClockSkewMs }),
        }),
        { store: options.store },
      ),
    ),
  );
  const deps = { store: options.store, commands, checkpoints: options.checkpoints, logger: options.logger };
  const processes = [
    await startProcess(deps, {
      name: 'quality-loop',
      eventTypes: qualityLoopEvents,
      react: qualityLoop,
    }),
    await startProcess(deps, {
      name: 'dispatch',
      eventTypes: dispatchEvents,
      react: dispatch,
    }),
    await startProcess(deps, {
      name: 'corrective-requests',
      eventTypes: correctiveRequestEvents,
      react: correctiveRequests,
    }),
    await startProcess(deps, {
      name: 'clock-out',
      eventTypes: clockOutEvents,
      react: clockOuts,
      view: { initial: emptyClockings, evolve: evolveClockings, eventTypes: clockingEvents },
    }),
    await startProcess(deps, {
      name: 'spc',
      eventTypes: spcEvents,
      react: spcProcess,
      view: { initial: emptySpcView, evolve: evolveSpcView, eventTypes: spcViewEvents },
    }),
    await startProcess(deps, {
      name: 'health',
      eventTypes: healthEvents,
      react: healthProcess,
    }),
    ...(options.alerts
      ? [
          await startProcess(deps, {
            name: 'alerts',
            eventTypes: alertEvents,
            // a day back from the start: an upgrade reading the plant's history does not alert all of it
            react: alertRules(options.alerts.timeZone, new Date(options.clock().getTime() - 86_400_000).toISOString()),
          }),
        ]
      : []),
  ];
  const overdue = startOverdueClock({
    ...deps,
    clock: options.clock,
    intervalMs: options.overdueIntervalMs,
    ...(options.alerts
      ? { machineDown: { minutes: options.alerts.machineDownMinutes, timeZone: options.alerts.timeZone } }
      : {}),
  });
  return {
    commands,
    scans: createScanService({ commands, cardKey: options.cardKey }),
    processes,
    overdue,
    async settle() {
      // one manager's commands can wake another: go round until a whole round finds nothing to do
      for (let round = 0; round < 50; round += 1) {
        const before = processes.map((p) => p.position).join();
        for (const process of processes) await process.idle();
        if (processes.map((p) => p.position).join() === before) return;
      }
    },
    async stop() {
      overdue.stop();
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
};
