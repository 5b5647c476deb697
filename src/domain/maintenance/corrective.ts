import type * as Schema from '../generated';
import { unreachable, type Command, type Decider, type Event } from '../messages';

/**
 * Corrective maintenance: one stream per machine (`corrective-<machineId>`) holding its breakdowns in
 * turn. A machine going `down` opens a request; the machine back in service (`running` or `idle`)
 * closes it, so the repair time runs from the breakdown through any `maintenance` or `setup` that
 * follows it. Both are sent by the corrective-requests process (src/domain/processes).
 *
 * A request the health process opens on a warning (reason `health:<signal>`) is predictive: the
 * machine running on does not close it. If the machine then breaks down, the warning's request is
 * closed as superseded (`restoredTo: 'down'`, no repair) and the breakdown's request opened.
 */
export type CorrectiveRequestOpened = Event<'CorrectiveRequestOpened', Schema.CorrectiveRequestOpenedV1>;
export type CorrectiveRequestClosed = Event<'CorrectiveRequestClosed', Schema.CorrectiveRequestClosedV1>;
export type CorrectiveEvent = CorrectiveRequestOpened | CorrectiveRequestClosed;

export const correctiveEventTypes = [
  'CorrectiveRequestOpened',
  'CorrectiveRequestClosed',
] as const satisfies readonly CorrectiveEvent['type'][];

export type CorrectiveState =
  | { status: 'Initial' }
  | { status: 'InService'; machineId: string; requests: number }
  | {
      status: 'Open';
      machineId: string;
      requests: number;
      requestId: string;
      openedAt: string;
      reasonCode?: string;
    };

/** A request opened by a health warning (reason `health:<signal>`), not by a breakdown. */
export const isHealthRequest = (reasonCode: string | undefined): boolean => reasonCode?.startsWith('health:') === true;

/** `openedAt`: when the machine went down. */
export type OpenCorrectiveRequest = Command<
  'OpenCorrectiveRequest',
  { machineId: string; openedAt: string; reasonCode?: string }
>;
/** `closedAt`: when the machine was back in service, in state `restoredTo`. */
export type CloseCorrectiveRequest = Command<
  'CloseCorrectiveRequest',
  { machineId: string; closedAt: string; restoredTo: Schema.MachineStatus }
>;
export type CorrectiveCommand = OpenCorrectiveRequest | CloseCorrectiveRequest;

/** The n-th breakdown of a machine (counting from 1). */
export const correctiveRequestId = (machineId: string, n: number): string => `CR${n}-${machineId}`;

export const evolveCorrective = (state: CorrectiveState, event: CorrectiveEvent): CorrectiveState => {
  const requests = state.status === 'Initial' ? 0 : state.requests;
  switch (event.type) {
    case 'CorrectiveRequestOpened': {
      const { machineId, requestId, openedAt, reasonCode } = event.data;
      return {
        status: 'Open',
        machineId,
        requests: requests + 1,
        requestId,
        openedAt,
        ...(reasonCode ? { reasonCode } : {}),
      };
    }
    case 'CorrectiveRequestClosed':
      return { status: 'InService', machineId: event.data.machineId, requests };
  }
};

const closed = (
  state: Extract<CorrectiveState, { status: 'Open' }>,
  machineId: string,
  closedAt: string,
  restoredTo: Schema.MachineStatus,
): CorrectiveRequestClosed => ({
  type: 'CorrectiveRequestClosed',
  data: {
    requestId: state.requestId,
    machineId,
    openedAt: state.openedAt,
    closedAt,
    repairSeconds: Math.max(0, (Date.parse(closedAt) - Date.parse(state.openedAt)) / 1000),
    restoredTo,
  },
});

export const decideCorrective = (command: CorrectiveCommand, state: CorrectiveState): CorrectiveEvent[] => {
  const { machineId } = command.data;
  switch (command.type) {
    case 'OpenCorrectiveRequest': {
      const { openedAt, reasonCode } = command.data;
      // a breakdown after a health warning: the warning's request is superseded by the breakdown's
      const superseded: CorrectiveEvent[] =
        state.status === 'Open' && isHealthRequest(state.reasonCode) && !isHealthRequest(reasonCode)
          ? [closed(state, machineId, openedAt, 'down')]
          : [];
      // down, then maintenance, then down again before running: still the one breakdown
      if (state.status === 'Open' && superseded.length === 0) return [];
      const n = (state.status === 'Initial' ? 0 : state.requests) + 1;
      return [
        ...superseded,
        {
          type: 'CorrectiveRequestOpened',
          data: {
            requestId: correctiveRequestId(machineId, n),
            machineId,
            openedAt,
            ...(reasonCode ? { reasonCode } : {}),
          },
        },
      ];
    }
    case 'CloseCorrectiveRequest': {
      // a warning's request stays open while the machine runs on
      if (state.status !== 'Open' || isHealthRequest(state.reasonCode)) return [];
      return [closed(state, machineId, command.data.closedAt, command.data.restoredTo)];
    }
    default:
      return unreachable(command);
  }
};

export const correctiveDecider: Decider<CorrectiveCommand, CorrectiveEvent, CorrectiveState> = {
  category: 'corrective',
  initialState: { status: 'Initial' },
  decide: decideCorrective,
  evolve: evolveCorrective,
  eventTypes: correctiveEventTypes,
};
