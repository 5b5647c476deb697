import type * as Schema from '../generated';
import type { Event } from '../messages';

export type MachineStatus = Schema.MachineStatus;

/** `idealCycleSeconds`: ideal cycle time per unit of each product, for OEE performance. */
export type MachineRegistered = Event<'MachineRegistered', Schema.MachineRegisteredV1>;
/** `previousSeconds`: how long the previous state lasted. */
export type MachineStateChanged = Event<'MachineStateChanged', Schema.MachineStateChangedV1>;
export type EnergyMeasured = Event<'EnergyMeasured', Schema.EnergyMeasuredV1>;
export type ProductionCounted = Event<'ProductionCounted', Schema.ProductionCountedV1>;
/** A machine's signals over an interval of device time, aggregated per signal. */
export type TelemetryRecorded = Event<'TelemetryRecorded', Schema.TelemetryRecordedV1>;

export type MachineEvent =
  MachineRegistered | MachineStateChanged | EnergyMeasured | ProductionCounted | TelemetryRecorded;

export const machineEventTypes = [
  'MachineRegistered',
  'MachineStateChanged',
  'EnergyMeasured',
  'ProductionCounted',
  'TelemetryRecorded',
] as const satisfies readonly MachineEvent['type'][];

export type MachineState =
  | { status: 'Initial' }
  | {
      status: 'Registered';
      machineId: string;
      workCenter: string;
      state: MachineStatus;
      since: string;
      /** The reason of the current state (none while running). */
      reasonCode?: string;

      /** No state change is recorded before it (optional for states made by hand in tests). */
      registeredAt?: string;
      /** Running seconds before `since`. */
      runningSeconds: number;
      energyUntil?: string;
      countedUntil?: string;
      telemetryUntil?: string;
      /** Units counted so far (the sum of ProductionCounted totals): what counter maintenance plans count. */
      countedTotal?: number;
    };

const seconds = (from: string, to: string): number => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** Running hours up to `at`, counting the current state if it is `running`. */
export const runningHoursAt = (state: MachineState, at: string): number => {
  if (state.status !== 'Registered') return 0;
  const current = state.state === 'running' ? seconds(state.since, at) : 0;
  return (state.runningSeconds + current) / 3600;
};

export const evolveMachine = (state: MachineState, event: MachineEvent): MachineState => {
  if (event.type === 'MachineRegistered') {
    const { machineId, workCenter, registeredAt } = event.data;
    return {
      status: 'Registered',
      machineId,
      workCenter,
      state: 'idle',
      since: registeredAt,
      registeredAt,
      runningSeconds: 0,
    };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'MachineStateChanged': {
      const { reasonCode: _previousReason, ...rest } = state;
      return {
        ...rest,
        ...(event.data.reasonCode ? { reasonCode: event.data.reasonCode } : {}),
        state: event.data.state,
        since: event.data.changedAt,
        runningSeconds: state.runningSeconds + (state.state === 'running' ? event.data.previousSeconds : 0),
      };
    }
    case 'EnergyMeasured':
      return { ...state, energyUntil: event.data.intervalEnd };
    case 'ProductionCounted':
      return {
        ...state,
        countedUntil: event.data.intervalEnd,
        countedTotal: (state.countedTotal ?? 0) + event.data.total,
      };
    case 'TelemetryRecorded':
      return { ...state, telemetryUntil: event.data.intervalEnd };
  }
};
