import { unreachable, type Command, type Decider, type Event } from '../messages';
import type * as Schema from '../generated';
import { dispatchOrder } from './rules';

export * from './rules';

/** An operation waiting in a work center's queue: what its OperationReady said, but the work center. */
export type QueueEntry = Omit<Schema.OperationQueuedV1, 'workCenter'>;

export type OperationQueued = Event<'OperationQueued', Schema.OperationQueuedV1>;
export type OperationDequeued = Event<'OperationDequeued', Schema.OperationDequeuedV1>;
export type QueuedOperationReprioritised = Event<'QueuedOperationReprioritised', Schema.QueuedOperationReprioritisedV1>;
/** A queued operation took its order's revision: priority, due date, quantity and planned minutes. */
export type QueuedOperationRevised = Event<'QueuedOperationRevised', Schema.QueuedOperationRevisedV1>;
export type DispatchEvent = OperationQueued | OperationDequeued | QueuedOperationReprioritised | QueuedOperationRevised;
export const dispatchEventTypes = [
  'OperationQueued',
  'OperationDequeued',
  'QueuedOperationReprioritised',
  'QueuedOperationRevised',
] as const satisfies readonly DispatchEvent['type'][];

export type EnqueueOperation = Command<'EnqueueOperation', OperationQueued['data']>;
export type DequeueOperation = Command<'DequeueOperation', OperationDequeued['data']>;
export type ReprioritiseQueued = Command<'ReprioritiseQueued', QueuedOperationReprioritised['data']>;
export type ReviseQueued = Command<'ReviseQueued', QueuedOperationRevised['data']>;
export type DispatchCommand = EnqueueOperation | DequeueOperation | ReprioritiseQueued | ReviseQueued;

/** A work center's queue, kept in dispatch order. */
export type QueueState = { entries: readonly QueueEntry[] };

const same = (entry: QueueEntry, orderId: string, operationId: string): boolean =>
  entry.orderId === orderId && entry.operationId === operationId;

export const evolveQueue = (state: QueueState, event: DispatchEvent): QueueState => {
  const { orderId, operationId } = event.data;
  switch (event.type) {
    case 'OperationQueued': {
      const { workCenter: _wc, ...entry } = event.data;
      return { entries: [...state.entries.filter((e) => !same(e, orderId, operationId)), entry].sort(dispatchOrder) };
    }
    case 'OperationDequeued':
      return { entries: state.entries.filter((e) => !same(e, orderId, operationId)) };
    case 'QueuedOperationReprioritised':
      return {
        entries: state.entries
          .map((e) => (same(e, orderId, operationId) ? { ...e, priority: event.data.priority } : e))
          .sort(dispatchOrder),
      };
    case 'QueuedOperationRevised': {
      const { priority, dueDate, quantity, plannedMinutes } = event.data;
      return {
        entries: state.entries
          .map((e) => (same(e, orderId, operationId) ? { ...e, priority, dueDate, quantity, plannedMinutes } : e))
          .sort(dispatchOrder),
      };
    }
  }
};

const revises = (entry: QueueEntry, data: QueuedOperationRevised['data']): boolean =>
  entry.priority !== data.priority ||
  entry.dueDate !== data.dueDate ||
  entry.quantity !== data.quantity ||
  entry.plannedMinutes !== data.plannedMinutes;

/** Queue commands repeat safely: what is already so decides nothing. */
export const decideQueue = (command: DispatchCommand, state: QueueState): DispatchEvent[] => {
  const { orderId, operationId } = command.data;
  const queued = state.entries.find((e) => same(e, orderId, operationId));
  switch (command.type) {
    case 'EnqueueOperation':
      return queued ? [] : [{ type: 'OperationQueued', data: command.data }];
    case 'DequeueOperation':
      return queued ? [{ type: 'OperationDequeued', data: command.data }] : [];
    case 'ReprioritiseQueued':
      return queued && queued.priority !== command.data.priority
        ? [{ type: 'QueuedOperationReprioritised', data: command.data }]
        : [];
    case 'ReviseQueued':
      return queued && revises(queued, command.data) ? [{ type: 'QueuedOperationRevised', data: command.data }] : [];
    default:
      return unreachable(command);
  }
};

export const dispatchDecider: Decider<DispatchCommand, DispatchEvent, QueueState> = {
  category: 'workcenter',
  initialState: { entries: [] },
  decide: decideQueue,
  evolve: evolveQueue,
  eventTypes: dispatchEventTypes,
};
