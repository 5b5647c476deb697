import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import {
  FINAL_DISPOSITIONS,
  evolveNonconformance,
  nonconformanceEventTypes,
  type Disposition,
  type NonconformanceEvent,
  type NonconformanceState,
  type Resolution,
} from './events';

export type RaiseNonconformance = Command<'RaiseNonconformance', Omit<Schema.NonconformanceRaisedV1, 'raisedAt'>>;
/** `afterRework`: the re-inspection of a completed rework operation (else: another after a failed one). */
export type ScheduleReinspection = Command<
  'ScheduleReinspection',
  { nonconformanceId: string; inspectionId: string; afterRework?: boolean }
>;
export type DecideDisposition = Command<'DecideDisposition', { nonconformanceId: string } & Schema.DispositionBody>;
/** Sent by the quality loop when a re-inspection passes. */
export type CloseNonconformance = Command<'CloseNonconformance', { nonconformanceId: string }>;

export type NonconformanceCommand =
  RaiseNonconformance | ScheduleReinspection | DecideDisposition | CloseNonconformance;

type Line = { disposition: Disposition; quantity?: number };

/** What a nonconformance raised by hand must name: its inspection, its supplier lot, or an order or lot. */
const checkRaised = (data: RaiseNonconformance['data']): void => {
  const need = (path: string, message: string): never => {
    throw new ValidationError(`a nonconformance ${message}`, [{ path, message: `is required: ${message}` }]);
  };
  if (data.source === 'inspection' && !data.inspectionId) need('/inspectionId', 'from an inspection names it');
  if (data.source === 'supplier-lot' && !data.lotId) need('/lotId', 'from a supplier lot names the lot');
  if (data.source === 'customer-complaint' && !data.orderId && !data.lotId)
    need('/orderId', 'from a customer complaint names the order or the lot');
  if (data.operationId && !data.orderId) need('/orderId', 'on an operation names its order');
  // without a count, a scrap disposition could not take units from the operation's good ones
  const byHand = data.source === 'customer-complaint' || data.source === 'supplier-lot';
  if (byHand && data.operationId && data.quantity === undefined)
    need('/quantity', 'on an operation counts the units found nonconforming');
  if (data.quantity !== undefined && !data.unit) need('/unit', 'with a quantity names its unit');
};

/**
 * The lines a disposition decides: one for the units due (all of them, or those in rework), or a
 * split whose quantities sum to them. Refused, naming the field, when it is neither or does not add up.
 */
const dispositionLines = (
  body: DecideDisposition['data'],
  state: Exclude<NonconformanceState, { status: 'Initial' | 'Closed' }>,
): Line[] => {
  const { disposition, dispositions } = body;
  if (disposition && dispositions)
    throw new ValidationError('give one disposition or a split, not both', [
      { path: '/dispositions', message: 'must not be given with disposition' },
    ]);
  const owed = state.due === undefined ? undefined : state.due > 1e-9 ? state.due : (state.reworking ?? 0);
  if (disposition) return [{ disposition, ...(owed !== undefined ? { quantity: owed } : {}) }];
  if (!dispositions)
    throw new ValidationError('a disposition is needed', [
      { path: '/disposition', message: 'give disposition, or dispositions with quantities' },
    ]);
  if (owed === undefined)
    throw new ValidationError(`nonconformance ${state.nonconformanceId} has no quantity to split`, [
      { path: '/dispositions', message: 'the nonconformance has no quantity: give one disposition' },
    ]);
  const kinds = dispositions.map((d) => d.disposition);
  const repeated = kinds.findIndex((k, i) => kinds.indexOf(k) !== i);
  if (repeated >= 0)
    throw new ValidationError(`${kinds[repeated]} appears twice in the split`, [
      { path: `/dispositions/${repeated}/disposition`, message: 'is repeated' },
    ]);
  const sum = dispositions.reduce((total, d) => total + d.quantity, 0);
  if (Math.abs(sum - owed) > 1e-9)
    throw new ValidationError(
      `the split's quantities sum to ${sum}; nonconformance ${state.nonconformanceId} has ${owed} ${state.unit ?? ''} to dispose`.trim(),
      [{ path: '/dispositions', message: `quantities must sum to ${owed}, not ${sum}` }],
    );
  return dispositions.map((d) => ({ disposition: d.disposition, quantity: d.quantity }));
};

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
    checkRaised(command.data);
    return [{ type: 'NonconformanceRaised', data: { ...command.data, raisedAt: now } }];
  }
  if (state.status === 'Initial') throw new NotFoundError(`nonconformance ${nonconformanceId} does not exist`);
  const subject = state.subject;
  switch (command.type) {
    case 'ScheduleReinspection':
      if (state.status === 'Closed' || state.reinspectionId === command.data.inspectionId) return [];
      return [
        {
          type: 'ReinspectionScheduled',
          data: {
            nonconformanceId,
            inspectionId: command.data.inspectionId,
            ...(command.data.afterRework ? { afterRework: true } : {}),
          },
        },
      ];
    case 'DecideDisposition': {
      if (state.status === 'Closed')
        throw new IllegalStateError(
          `nonconformance ${nonconformanceId} is closed (${state.resolution})`,
          'nonconformance-closed',
        );
      const { note, reasonCode } = command.data;
      const lines = dispositionLines(command.data, state);
      if (state.source === 'incoming-inspection') {
        const index = lines.findIndex((l) => l.disposition !== 'return-to-supplier' && l.disposition !== 'use-as-is');
        if (index >= 0)
          throw new ValidationError(
            `a received lot that failed its incoming inspection is returned to its supplier or used as it is, not ${lines[index]?.disposition}`,
            [
              {
                path: command.data.dispositions ? `/dispositions/${index}/disposition` : '/disposition',
                message: 'must be return-to-supplier or use-as-is for an incoming inspection',
              },
            ],
          );
      }
      if (lines.some((l) => l.disposition === 'use-as-is') && !command.meta.roles?.includes(QUALITY_ROLE)) {
        throw new ForbiddenError(
          `using a nonconforming part as it is needs an approver with the ${QUALITY_ROLE} role; ${command.meta.actor} has not`,
        );
      }
      const decided: NonconformanceEvent[] = lines.map(({ disposition, quantity }) => ({
        type: 'DispositionDecided',
        data: {
          nonconformanceId,
          ...subject,
          disposition,
          ...(quantity !== undefined ? { quantity } : {}),
          // a rework operation's own re-inspection replaces the one pending now
          ...(disposition === 'rework' && state.reinspectionId ? { pendingReinspection: state.reinspectionId } : {}),
          decidedBy: command.meta.actor,
          decidedAt: now,
          ...(note ? { note } : {}),
          ...(reasonCode ? { reasonCode } : {}),
        },
      }));
      if (lines.some((l) => !FINAL_DISPOSITIONS.includes(l.disposition))) return decided;
      const kinds = [...new Set(lines.map((l) => l.disposition))];
      const resolution: Resolution = kinds.length === 1 ? (kinds[0] as Resolution) : 'mixed';
      const closed = {
        nonconformanceId,
        ...subject,
        resolution,
        ...(state.reinspectionId ? { pendingReinspection: state.reinspectionId } : {}),
        openedAt: state.raisedAt,
        closedAt: now,
      };
      return [...decided, { type: 'NonconformanceClosed', data: closed }];
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
