import { IllegalStateError, ValidationError } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider, type Event } from '../messages';

/** What payroll needs: who worked on which order's operation, from when to when. */
export type OperatorClockedIn = Event<'OperatorClockedIn', Schema.OperatorClockedInV1>;
export type OperatorClockedOut = Event<'OperatorClockedOut', Schema.OperatorClockedOutV1>;
export type LabourEvent = OperatorClockedIn | OperatorClockedOut;
export const labourEventTypes = [
  'OperatorClockedIn',
  'OperatorClockedOut',
] as const satisfies readonly LabourEvent['type'][];

export type ClockIn = Command<'ClockIn', { operatorId: string; orderId: string; operationId: string; at?: string }>;
export type ClockOut = Command<'ClockOut', { operatorId: string; orderId: string; operationId: string; at?: string }>;
export type LabourCommand = ClockIn | ClockOut;

/** An operator's open clockings, by `orderId/operationId`: one may tend several operations at once. */
export type LabourState = { open: Readonly<Record<string, string>> };

const key = (orderId: string, operationId: string): string => `${orderId}/${operationId}`;

export const evolveLabour = (state: LabourState, event: LabourEvent): LabourState => {
  const k = key(event.data.orderId, event.data.operationId);
  switch (event.type) {
    case 'OperatorClockedIn':
      return { open: { ...state.open, [k]: event.data.at } };
    case 'OperatorClockedOut': {
      const { [k]: _closed, ...open } = state.open;
      return { open };
    }
  }
};

export const decideLabour = (command: LabourCommand, state: LabourState): LabourEvent[] => {
  const { operatorId, orderId, operationId } = command.data;
  const at = command.data.at ?? command.meta.now;
  const startedAt = state.open[key(orderId, operationId)];
  switch (command.type) {
    case 'ClockIn':
      if (startedAt)
        throw new IllegalStateError(
          `operator ${operatorId} is already clocked in to ${orderId}/${operationId} since ${startedAt}`,
          'already-clocked-in',
        );
      return [{ type: 'OperatorClockedIn', data: { operatorId, orderId, operationId, at } }];
    case 'ClockOut': {
      if (!startedAt)
        throw new IllegalStateError(
          `operator ${operatorId} is not clocked in to ${orderId}/${operationId}`,
          'not-clocked-in',
        );
      const minutes = (Date.parse(at) - Date.parse(startedAt)) / 60_000;
      if (minutes < 0)
        throw new ValidationError('a clock-out cannot precede its clock-in', [
          { path: '/at', message: `is before ${startedAt}` },
        ]);
      return [
        {
          type: 'OperatorClockedOut',
          data: { operatorId, orderId, operationId, startedAt, endedAt: at, minutes: Math.round(minutes * 100) / 100 },
        },
      ];
    }
    default:
      return unreachable(command);
  }
};

export const labourDecider: Decider<LabourCommand, LabourEvent, LabourState> = {
  category: 'operator',
  initialState: { open: {} },
  decide: decideLabour,
  evolve: evolveLabour,
  eventTypes: labourEventTypes,
};
