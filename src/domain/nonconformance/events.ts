import type * as Schema from '../generated';
import type { Event } from '../messages';

export type Disposition = Schema.DispositionDecidedV1['disposition'];
/** rework waits for a re-inspection; the others end the loop. */
export const FINAL_DISPOSITIONS: readonly Disposition[] = ['scrap', 'use-as-is', 'return-to-supplier'];

export type Resolution = Schema.NonconformanceClosedV1['resolution'];

type Subject = Pick<Schema.NonconformanceRaisedV1, 'orderId' | 'operationId' | 'lotId'>;

/** `reinspectionId`: the re-inspection requested with it. */
export type NonconformanceRaised = Event<'NonconformanceRaised', Schema.NonconformanceRaisedV1>;
/** A re-inspection failed and another is requested; it is the one the loop now waits for. */
export type ReinspectionScheduled = Event<'ReinspectionScheduled', Schema.ReinspectionScheduledV1>;
export type DispositionDecided = Event<'DispositionDecided', Schema.DispositionDecidedV1>;
/** `pendingReinspection`: a re-inspection still waiting when a final disposition closed the loop, to be cancelled. */
export type NonconformanceClosed = Event<'NonconformanceClosed', Schema.NonconformanceClosedV1>;

export type NonconformanceEvent =
  NonconformanceRaised | ReinspectionScheduled | DispositionDecided | NonconformanceClosed;

export const nonconformanceEventTypes = [
  'NonconformanceRaised',
  'ReinspectionScheduled',
  'DispositionDecided',
  'NonconformanceClosed',
] as const satisfies readonly NonconformanceEvent['type'][];

/**
 * `quantity`: the units found nonconforming, when known; `due`: those still awaiting a disposition;
 * `reworking`: those in rework, awaiting their re-inspection (a failed one makes them due again).
 */
type Body = {
  nonconformanceId: string;
  subject: Subject;
  raisedAt: string;
  /** The re-inspection it waits for; none for a nonconformance raised by hand until a rework is re-inspected. */
  reinspectionId?: string;
  /** Where it came from; an incoming inspection's failure allows only return to supplier or use as is. */
  source?: Schema.NonconformanceRaisedV1['source'];
  quantity?: number;
  unit?: string;
  due?: number;
  reworking?: number;
};

export type NonconformanceState =
  | { status: 'Initial' }
  | (Body & { status: 'Open' })
  | (Body & { status: 'Rework' })
  | (Body & { status: 'Closed'; resolution: Resolution });

export const evolveNonconformance = (state: NonconformanceState, event: NonconformanceEvent): NonconformanceState => {
  if (event.type === 'NonconformanceRaised') {
    const { nonconformanceId, orderId, operationId, lotId, raisedAt, reinspectionId, quantity, unit, source } =
      event.data;
    return {
      status: 'Open',
      nonconformanceId,
      raisedAt,
      ...(reinspectionId ? { reinspectionId } : {}),
      ...(source ? { source } : {}),
      subject: {
        ...(orderId ? { orderId } : {}),
        ...(operationId ? { operationId } : {}),
        ...(lotId ? { lotId } : {}),
      },
      ...(quantity !== undefined ? { quantity, due: quantity, reworking: 0 } : {}),
      ...(unit ? { unit } : {}),
    };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'ReinspectionScheduled':
      // a re-inspection failed: the units in rework await a disposition again
      return {
        ...state,
        reinspectionId: event.data.inspectionId,
        ...(state.due !== undefined && !event.data.afterRework
          ? { due: state.due + (state.reworking ?? 0), reworking: 0 }
          : {}),
      };
    case 'DispositionDecided': {
      if (state.status === 'Closed') return state;
      const { disposition, quantity } = event.data;
      const status = disposition === 'rework' ? 'Rework' : state.status;
      if (state.due === undefined || quantity === undefined) return { ...state, status };
      // a decision takes from the units due, or else re-decides units in rework
      let due = state.due;
      let reworking = state.reworking ?? 0;
      if (due > 1e-9) due = Math.max(0, due - quantity);
      else reworking = Math.max(0, reworking - quantity);
      if (disposition === 'rework') reworking += quantity;
      return { ...state, status: reworking > 1e-9 ? 'Rework' : 'Open', due, reworking };
    }
    case 'NonconformanceClosed':
      return { ...state, status: 'Closed', resolution: event.data.resolution };
  }
};
