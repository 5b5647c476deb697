import type { Event } from '../messages';
import type { InspectionResult } from '../inspection/events';

export type Disposition = 'rework' | 'scrap' | 'use-as-is' | 'return-to-supplier';
/** rework waits for a re-inspection; the others end the loop. */
export const FINAL_DISPOSITIONS: readonly Disposition[] = ['scrap', 'use-as-is', 'return-to-supplier'];

export type Resolution = 'reinspection-passed' | Exclude<Disposition, 'rework'>;

type Subject = { orderId: string; operationId?: string; lotId?: string };

export type NonconformanceRaised = Event<
  'NonconformanceRaised',
  Subject & {
    nonconformanceId: string;
    inspectionId: string;
    failed: InspectionResult[];
    product?: string;
    /** The re-inspection requested with it. */
    reinspectionId: string;
    raisedAt: string;
  }
>;
/** A re-inspection failed and another is requested; it is the one the loop now waits for. */
export type ReinspectionScheduled = Event<'ReinspectionScheduled', { nonconformanceId: string; inspectionId: string }>;
export type DispositionDecided = Event<
  'DispositionDecided',
  Subject & {
    nonconformanceId: string;
    disposition: Disposition;
    /** A nonconformance reason code. */
    reasonCode?: string;
    decidedBy: string;
    note?: string;
    decidedAt: string;
  }
>;
export type NonconformanceClosed = Event<
  'NonconformanceClosed',
  Subject & {
    nonconformanceId: string;
    resolution: Resolution;
    /** A re-inspection still waiting when a final disposition closed the loop: to be cancelled. */
    pendingReinspection?: string;
    openedAt: string;
    closedAt: string;
  }
>;

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
