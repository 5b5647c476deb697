import { IllegalStateError, NotFoundError } from '../errors';
import { unreachable, type Command, type Decider, type Event } from '../messages';

/** A registered shop-floor device (a PDA) with its own key, on which operators log in by badge. */
export type DeviceRegistered = Event<
  'DeviceRegistered',
  { deviceId: string; name: string; keyId: string; workCenter?: string }
>;
export type DeviceRetired = Event<'DeviceRetired', { deviceId: string; reason: string }>;
export type DeviceEvent = DeviceRegistered | DeviceRetired;
export const deviceEventTypes = ['DeviceRegistered', 'DeviceRetired'] as const satisfies readonly DeviceEvent['type'][];

export type RegisterDevice = Command<'RegisterDevice', DeviceRegistered['data']>;
export type RetireDevice = Command<'RetireDevice', { deviceId: string; reason: string }>;
export type DeviceCommand = RegisterDevice | RetireDevice;

export type DeviceState = { status: 'Initial' } | ({ status: 'Registered' | 'Retired' } & DeviceRegistered['data']);

export const evolveDevice = (state: DeviceState, event: DeviceEvent): DeviceState => {
  switch (event.type) {
    case 'DeviceRegistered':
      return state.status === 'Initial' ? { status: 'Registered', ...event.data } : state;
    case 'DeviceRetired':
      return state.status === 'Initial' ? state : { ...state, status: 'Retired' };
  }
};

export const decideDevice = (command: DeviceCommand, state: DeviceState): DeviceEvent[] => {
  const { deviceId } = command.data;
  switch (command.type) {
    case 'RegisterDevice':
      if (state.status !== 'Initial')
        throw new IllegalStateError(`device ${deviceId} is already registered`, 'device-exists');
      return [{ type: 'DeviceRegistered', data: command.data }];
    case 'RetireDevice':
      if (state.status === 'Initial') throw new NotFoundError(`device ${deviceId} is not registered`);
      return state.status === 'Retired' ? [] : [{ type: 'DeviceRetired', data: command.data }];
    default:
      return unreachable(command);
  }
};

export const deviceDecider: Decider<DeviceCommand, DeviceEvent, DeviceState> = {
  category: 'device',
  initialState: { status: 'Initial' },
  decide: decideDevice,
  evolve: evolveDevice,
  eventTypes: deviceEventTypes,
};
