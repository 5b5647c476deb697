import { ForbiddenError, IllegalStateError, NotFoundError } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import {
  FINAL_DISPOSITIONS,
  evolveNonconformance,
  nonconformanceEventTypes,
  type Disposition,
  type NonconformanceEvent,
  type NonconformanceState,
} from './events';

export type RaiseNonconformance = Command<'RaiseNonconformance', Omit<Schema.NonconformanceRaisedV1, 'raisedAt'>>;
export type ScheduleReinspection = Command<'ScheduleReinspection', { nonconformanceId: string; inspectionId: string }>;
export type DecideDisposition = Command<'DecideDisposition', { nonconformanceId: string } & Schema.DispositionBody>;
/** Sent by the quality loop when a re-inspection passes. */
export type CloseNonconformance = Command<'CloseNonconformance', { nonconformanceId: string }>;

export type NonconformanceCommand =
  RaiseNonconformance | ScheduleReinspection | DecideDisposition | CloseNonconformance;

/** The role whose holder may accept a nonconforming part as it is. */
export const QUALITY_ROLE = 'quality';

export const decideNonconformance = (
  command: NonconformanceCommand,
  state: NonconformanceState,
): NonconformanceEvent[] => {
  const { nonconformanceId } = command.data;
  const now = command.meta.now;
  if (command.type === 'RaiseNonconformance') {
    if (state.status !== 'Initial')
      throw new IllegalStateError(`nonconformance ${nonconformanceId} already exists`, 'nonconformance-exists');
    return [{ type: 'NonconformanceRaised', data: { ...command.data, raisedAt: now } }];
  }
  if (state.status === 'Initial') throw new NotFoundError(`nonconformance ${nonconformanceId} does not exist`);
  const subject = state.subject;
  switch (command.type) {
    case 'ScheduleReinspection':
      if (state.status === 'Closed' || state.reinspectionId === command.data.inspectionId) return [];
      return [{ type: 'ReinspectionScheduled', data: { nonconformanceId, inspectionId: command.data.inspectionId } }];
    case 'DecideDisposition': {
      if (state.status === 'Closed')
        throw new IllegalStateError(
          `nonconformance ${nonconformanceId} is closed (${state.resolution})`,
          'nonconformance-closed',
        );
      const { disposition, note, reasonCode } = command.data;
      if (disposition === 'use-as-is' && !command.meta.roles?.includes(QUALITY_ROLE)) {
        throw new ForbiddenError(
          `using a nonconforming part as it is needs an approver with the ${QUALITY_ROLE} role; ${command.meta.actor} has not`,
        );
      }
      const decided: NonconformanceEvent = {
        type: 'DispositionDecided',
        data: {
          nonconformanceId,
          ...subject,
          disposition,
          decidedBy: command.meta.actor,
          decidedAt: now,
          ...(note ? { note } : {}),
          ...(reasonCode ? { reasonCode } : {}),
        },
      };
      if (!FINAL_DISPOSITIONS.includes(disposition)) return [decided];
      const resolution = disposition as Exclude<Disposition, 'rework'>;
      const closed = {
        nonconformanceId,
        ...subject,
        resolution,
        pendingReinspection: state.reinspectionId,
        openedAt: state.raisedAt,
        closedAt: now,
      };
      return [decided, { type: 'NonconformanceClosed', data: closed }];
    }
    case 'CloseNonconformance':
      if (state.status === 'Closed') return [];
      return [
        {
          type: 'NonconformanceClosed',
          data: {
            nonconformanceId,
            ...subject,
            resolution: 'reinspection-passed',
            openedAt: state.raisedAt,
            closedAt: now,
          },
        },
      ];
    default:
      return unreachable(command);
  }
};

export const nonconformanceDecider: Decider<NonconformanceCommand, NonconformanceEvent, NonconformanceState> = {
  category: 'nonconformance',
  initialState: { status: 'Initial' },
  decide: decideNonconformance,
  evolve: evolveNonconformance,
  eventTypes: nonconformanceEventTypes,
};
