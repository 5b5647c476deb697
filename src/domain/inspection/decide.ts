import { NotFoundError, ValidationError, refuse } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import type { Characteristic } from '../order/events';
import {
  evolveInspection,
  inspectionEventTypes,
  type InspectionEvent,
  type InspectionResult,
  type InspectionState,
} from './events';

export type RequestInspection = Command<
  'RequestInspection',
  Schema.RequestInspectionBody & Pick<Schema.InspectionRequestedV1, 'reason' | 'reinspectionOf'>
>;
/** A measured characteristic gives `value`; an attribute gives `passed`. */
export type RecordInspectionResults = Command<
  'RecordInspectionResults',
  { inspectionId: string } & Schema.InspectionResultsBody
>;
export type CancelInspection = Command<'CancelInspection', { inspectionId: string } & Schema.ReasonBody>;

export type InspectionCommand = RequestInspection | RecordInspectionResults | CancelInspection;

/** Whether a measured value lies within its limits (inclusive; an absent limit does not bind). */
export const withinLimits = (value: number, characteristic: Extract<Characteristic, { kind: 'measured' }>): boolean =>
  (characteristic.lower === undefined || value >= characteristic.lower) &&
  (characteristic.upper === undefined || value <= characteristic.upper);

const judge = (
  characteristic: Characteristic,
  input: { characteristic: string; value?: number; passed?: boolean },
  index: number,
): InspectionResult => {
  if (characteristic.kind === 'measured') {
    if (typeof input.value !== 'number') {
      throw new ValidationError(`${characteristic.name} is measured and needs a value`, [
        { path: `/results/${index}/value`, message: 'is required for a measured characteristic' },
      ]);
    }
    return {
      characteristic: characteristic.name,
      value: input.value,
      passed: withinLimits(input.value, characteristic),
    };
  }
  if (typeof input.passed !== 'boolean') {
    throw new ValidationError(`${characteristic.name} is an attribute and needs passed`, [
      { path: `/results/${index}/passed`, message: 'is required for an attribute characteristic' },
    ]);
  }
  return { characteristic: characteristic.name, passed: input.passed };
};

export const decideInspection = (command: InspectionCommand, state: InspectionState): InspectionEvent[] => {
  const { inspectionId } = command.data;
  const now = command.meta.now;
  if (command.type === 'RequestInspection') {
    if (state.status !== 'Initial') refuse('inspection-exists', `inspection ${inspectionId} already exists`);
    if (!command.data.orderId && !command.data.lotId)
      throw new ValidationError('an inspection without an order is the incoming inspection of a lot', [
        { path: '/lotId', message: 'is required when no orderId is given' },
      ]);
    const names = command.data.characteristics.map((c) => c.name);
    if (names.length === 0)
      throw new ValidationError('an inspection checks at least one characteristic', [
        { path: '/characteristics', message: 'must not be empty' },
      ]);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated)
      throw new ValidationError(`characteristic ${repeated} appears twice`, [
        { path: '/characteristics', message: `${repeated} is repeated` },
      ]);
    return [{ type: 'InspectionRequested', data: { ...command.data, requestedAt: now } }];
  }
  if (state.status === 'Initial') throw new NotFoundError(`inspection ${inspectionId} does not exist`);
  switch (command.type) {
    case 'RecordInspectionResults': {
      if (state.status !== 'Requested') refuse('inspection-decided', `inspection ${inspectionId} is ${state.status}`);
      const results = command.data.results.map((input, index) => {
        const characteristic = state.characteristics.find((c) => c.name === input.characteristic);
        if (!characteristic) {
          throw new ValidationError(`inspection ${inspectionId} does not check ${input.characteristic}`, [
            { path: `/results/${index}/characteristic`, message: 'is not a characteristic of this inspection' },
          ]);
        }
        if (state.results.some((r) => r.characteristic === input.characteristic)) {
          refuse('result-recorded', `${input.characteristic} of inspection ${inspectionId} is already recorded`);
        }
        return judge(characteristic, input, index);
      });
      const all = [...state.results, ...results];
      const recorded: InspectionEvent = {
        type: 'InspectionResultsRecorded',
        data: { inspectionId, results, inspector: command.meta.actor, recordedAt: now },
      };
      if (all.length < state.characteristics.length) return [recorded];
      const { subject, reason, reinspectionOf } = state;
      const common = {
        inspectionId,
        ...subject,
        reason,
        decidedAt: now,
        ...(reinspectionOf ? { reinspectionOf } : {}),
      };
      const failed = all.filter((r) => !r.passed);
      return [
        recorded,
        failed.length === 0
          ? { type: 'InspectionPassed', data: common }
          : { type: 'InspectionFailed', data: { ...common, failed, characteristics: state.characteristics } },
      ];
    }
    case 'CancelInspection':
      if (state.status === 'Cancelled') return [];
      if (state.status !== 'Requested') refuse('inspection-decided', `inspection ${inspectionId} is ${state.status}`);
      return [
        {
          type: 'InspectionCancelled',
          data: {
            inspectionId,
            ...(state.subject.orderId ? { orderId: state.subject.orderId } : {}),
            reason: command.data.reason,
            cancelledAt: now,
          },
        },
      ];
    default:
      return unreachable(command);
  }
};

export const inspectionDecider: Decider<InspectionCommand, InspectionEvent, InspectionState> = {
  category: 'inspection',
  initialState: { status: 'Initial' },
  decide: decideInspection,
  evolve: evolveInspection,
  eventTypes: inspectionEventTypes,
};
