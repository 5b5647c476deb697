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

type Body = { nonconformanceId: string; subject: Subject; raisedAt: string; reinspectionId: string };

export type NonconformanceState =
  | { status: 'Initial' }
  | (Body & { status: 'Open' })
  | (Body & { status: 'Rework' })
  | (Body & { status: 'Closed'; resolution: Resolution });

export const evolveNonconformance = (state: NonconformanceState, event: NonconformanceEvent): NonconformanceState => {
  if (event.type === 'NonconformanceRaised') {
    const { nonconformanceId, orderId, operationId, lotId, raisedAt, reinspectionId } = event.data;
    return {
      status: 'Open',
      nonconformanceId,
      raisedAt,
      reinspectionId,
      subject: { orderId, ...(operationId ? { operationId } : {}), ...(lotId ? { lotId } : {}) },
    };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'ReinspectionScheduled':
      return { ...state, reinspectionId: event.data.inspectionId };
    case 'DispositionDecided':
      return event.data.disposition === 'rework' ? { ...state, status: 'Rework' } : state;
    case 'NonconformanceClosed':
      return { ...state, status: 'Closed', resolution: event.data.resolution };
  }
};
