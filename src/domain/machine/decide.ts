import { notBefore } from '../clientTime';
import { NotFoundError, ValidationError, refuse } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import {
  evolveMachine,
  machineEventTypes,
  type MachineEvent,
  type MachineRegistered,
  type MachineState,
} from './events';

export type RegisterMachine = Command<'RegisterMachine', Omit<MachineRegistered['data'], 'registeredAt'>>;
/** `at` is when the machine changed (a device's timestamp); default: the command's time. */
export type ChangeMachineState = Command<'ChangeMachineState', { machineId: string } & Schema.MachineStateBody>;
export type RecordEnergy = Command<'RecordEnergy', { machineId: string } & Schema.EnergyReadingBody>;
export type RecordCount = Command<'RecordCount', { machineId: string } & Schema.CountReadingBody>;

/** Sent by the device pipeline when a telemetry interval closes. */
export type RecordTelemetry = Command<'RecordTelemetry', Schema.TelemetryRecordedV1>;
export type MachineCommand = RegisterMachine | ChangeMachineState | RecordEnergy | RecordCount | RecordTelemetry;

const checkInterval = (start: string, end: string, after: string | undefined, what: string): void => {
  if (Date.parse(end) <= Date.parse(start)) {
    throw new ValidationError(`${what} interval ends before it starts`, [
      { path: '/intervalEnd', message: 'must be after intervalStart' },
    ]);
  }
  if (after !== undefined && Date.parse(start) < Date.parse(after)) {
    refuse('interval-overlap', `${what} interval starting ${start} overlaps the one recorded up to ${after}`);
  }
};

/** A signal's aggregates must be those of some samples: min ≤ mean, last ≤ max, and RMS at least |mean|. */
const checkAggregates = (signals: Schema.TelemetryRecordedV1['signals']): void => {
  // the device pipeline rounds mean and RMS to 6 decimals
  const slack = (x: number) => 1e-6 * Math.max(1, Math.abs(x));
  const problems = signals.flatMap((s, i) => [
    ...(s.min > s.max ? [{ path: `/signals/${i}/min`, message: `${s.signal}: min is above max` }] : []),
    ...(['mean', 'last'] as const)
      .filter((f) => s[f] < s.min - slack(s.min) || s[f] > s.max + slack(s.max))
      .map((f) => ({ path: `/signals/${i}/${f}`, message: `${s.signal}: ${f} is outside min..max` })),
    ...(s.rms < Math.abs(s.mean) - slack(s.mean)
      ? [{ path: `/signals/${i}/rms`, message: `${s.signal}: RMS is below |mean|` }]
      : []),
  ]);
  if (problems.length > 0) throw new ValidationError('telemetry aggregates that no samples could give', problems);
};

/**
 * The reason a non-running state carries when none is given: an idle machine is a minor stop, a
 * set-up a changeover, maintenance planned maintenance; a device that goes down without saying why
 * has broken down. A person must say why a machine is down. Running carries no reason.
 */
export const DEFAULT_STATE_REASONS: Record<Exclude<Schema.MachineStatus, 'running' | 'down'>, string> = {
  idle: 'minor-stop',
  setup: 'changeover',
  maintenance: 'planned-maintenance',
};

const reasonFor = (state: Schema.MachineStatus, given: string | undefined, actor: string): string | undefined => {
  if (state === 'running') return undefined;
  if (given) return given;
  if (state === 'down') return actor.startsWith('device:') ? 'breakdown' : undefined;
  return DEFAULT_STATE_REASONS[state];
};

const reasonChanged = (state: Schema.MachineStatus, given: string | undefined, current: string | undefined): boolean =>
  given !== undefined && given !== current && state !== 'running' && state !== 'down';

export const decideMachine = (command: MachineCommand, state: MachineState): MachineEvent[] => {
  const { machineId } = command.data;
  if (command.type === 'RegisterMachine') {
    if (state.status !== 'Initial') refuse('machine-exists', `machine ${machineId} is already registered`);
    return [{ type: 'MachineRegistered', data: { ...command.data, registeredAt: command.meta.now } }];
  }
  if (state.status === 'Initial') throw new NotFoundError(`machine ${machineId} is not registered`);
  switch (command.type) {
    case 'ChangeMachineState': {
      const reasonCode = reasonFor(command.data.state, command.data.reasonCode, command.meta.actor);
      const at = notBefore(
        command.data.at ?? command.meta.now,
        state.registeredAt,
        '/at',
        'registration',
        `machine ${machineId}'s registration`,
      );
      // a device repeats its state; only a change is a fact worth recording: of state, or of the reason
      // a person or device gives for an idle, set-up or maintenance stop (a stop found to lack demand)
      if (command.data.state === state.state && !reasonChanged(state.state, command.data.reasonCode, state.reasonCode))
        return [];
      if (command.data.state === 'down' && !reasonCode) {
        throw new ValidationError('a machine that goes down needs a reason code', [
          { path: '/reasonCode', message: 'is required when state is down' },
        ]);
      }
      if (Date.parse(at) < Date.parse(state.since)) {
        refuse(
          'state-out-of-order',
          `machine ${machineId} has been ${state.state} since ${state.since}; a change at ${at} comes too late`,
        );
      }
      const previousSeconds = (Date.parse(at) - Date.parse(state.since)) / 1000;
      return [
        {
          type: 'MachineStateChanged',
          data: {
            machineId,
            state: command.data.state,
            previous: state.state,
            changedAt: at,
            previousSeconds,
            ...(reasonCode ? { reasonCode } : {}),
          },
        },
      ];
    }
    case 'RecordEnergy':
      checkInterval(command.data.intervalStart, command.data.intervalEnd, state.energyUntil, 'energy');
      return [{ type: 'EnergyMeasured', data: command.data }];
    case 'RecordCount':
      checkInterval(command.data.intervalStart, command.data.intervalEnd, state.countedUntil, 'count');
      return [{ type: 'ProductionCounted', data: command.data }];
    case 'RecordTelemetry':
      checkInterval(command.data.intervalStart, command.data.intervalEnd, state.telemetryUntil, 'telemetry');
      checkAggregates(command.data.signals);
      return [{ type: 'TelemetryRecorded', data: command.data }];
    default:
      return unreachable(command);
  }
};

export const machineDecider: Decider<MachineCommand, MachineEvent, MachineState> = {
  category: 'machine',
  initialState: { status: 'Initial' },
  decide: decideMachine,
  evolve: evolveMachine,
  eventTypes: machineEventTypes,
};
