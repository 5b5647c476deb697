import type { Event } from '../messages';

export type MachineStatus = 'running' | 'idle' | 'setup' | 'down' | 'maintenance';

export type MachineRegistered = Event<
  'MachineRegistered',
  {
    machineId: string;
    code: string;
    name: string;
    type: string;
    workCenter: string;
    ratedPowerKw: number;
    /** Ideal cycle time per unit of each product, for OEE performance. */
    idealCycleSeconds: Array<{ product: string; seconds: number }>;
    registeredAt: string;
  }
>;
export type MachineStateChanged = Event<
  'MachineStateChanged',
  {
    machineId: string;
    state: MachineStatus;
    previous: MachineStatus;
    reasonCode?: string;
    changedAt: string;
    /** How long the previous state lasted. */
    previousSeconds: number;
  }
>;
export type EnergyMeasured = Event<
  'EnergyMeasured',
  { machineId: string; intervalStart: string; intervalEnd: string; kWh: number }
>;
export type ProductionCounted = Event<
  'ProductionCounted',
  { machineId: string; intervalStart: string; intervalEnd: string; total: number; good?: number; product?: string }
>;

export type MachineEvent = MachineRegistered | MachineStateChanged | EnergyMeasured | ProductionCounted;

export const machineEventTypes = [
  'MachineRegistered',
  'MachineStateChanged',
  'EnergyMeasured',
  'ProductionCounted',
] as const satisfies readonly MachineEvent['type'][];

export type MachineState =
  | { status: 'Initial' }
  | {
      status: 'Registered';
      machineId: string;
      workCenter: string;
      state: MachineStatus;
      since: string;
      /** Running seconds before `since`. */
      runningSeconds: number;
      energyUntil?: string;
      countedUntil?: string;
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
    return { status: 'Registered', machineId, workCenter, state: 'idle', since: registeredAt, runningSeconds: 0 };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'MachineStateChanged':
      return {
        ...state,
        state: event.data.state,
        since: event.data.changedAt,
        runningSeconds: state.runningSeconds + (state.state === 'running' ? event.data.previousSeconds : 0),
      };
    case 'EnergyMeasured':
      return { ...state, energyUntil: event.data.intervalEnd };
    case 'ProductionCounted':
      return { ...state, countedUntil: event.data.intervalEnd };
  }
};
