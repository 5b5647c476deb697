import type { Directive } from '../aggregates';
import { metaFor, type Trigger } from './types';

/** The events the corrective-requests process reacts to. */
export const correctiveRequestEvents = ['MachineStateChanged'] as const;

/**
 * Corrective maintenance from the machine's own states: going `down` opens a request on the machine's
 * corrective stream, coming back to `running` or `idle` closes it (the stream ignores a close with
 * nothing open, and a second open while one is open). Times are the machine's, not the process's.
 */
export const correctiveRequests = (event: Trigger): Directive[] => {
  if (event.type !== 'MachineStateChanged') return [];
  const { machineId, state, changedAt, reasonCode } = event.data;
  const meta = metaFor(event, 'corrective-requests');
  if (state === 'down') {
    return [
      {
        aggregate: 'corrective',
        id: machineId,
        command: {
          type: 'OpenCorrectiveRequest',
          data: { machineId, openedAt: changedAt, ...(reasonCode ? { reasonCode } : {}) },
          meta,
        },
      },
    ];
  }
  if (state !== 'running' && state !== 'idle') return [];
  return [
    {
      aggregate: 'corrective',
      id: machineId,
      command: { type: 'CloseCorrectiveRequest', data: { machineId, closedAt: changedAt, restoredTo: state }, meta },
    },
  ];
};
