import { unreachable, type Command, type Decider } from '../messages';
import { alertEventTypes, evolveAlert, type AlertEvent, type AlertState } from './events';

/** Sent by the alert rules: `raisedAt` comes from the command's time. */
export type RaiseAlert = Command<'RaiseAlert', Omit<AlertEvent['data'], 'raisedAt'>>;

export type AlertCommand = RaiseAlert;

/**
 * One stream per occurrence (`alert-<alertId>`): the first RaiseAlert raises it, any later one
 * (a replay, a restart, a second clock asking) decides nothing, so an occurrence is raised once.
 */
export const decideAlert = (command: AlertCommand, state: AlertState): AlertEvent[] => {
  switch (command.type) {
    case 'RaiseAlert':
      if (state.status === 'Raised') return [];
      return [{ type: 'AlertRaised', data: { ...command.data, raisedAt: command.meta.now } }];
    default:
      return unreachable(command.type);
  }
};

export const alertDecider: Decider<AlertCommand, AlertEvent, AlertState> = {
  category: 'alert',
  initialState: { status: 'Initial' },
  decide: decideAlert,
  evolve: evolveAlert,
  eventTypes: alertEventTypes,
};
