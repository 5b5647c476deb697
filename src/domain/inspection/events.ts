import type { Event } from '../messages';
import type { Characteristic } from '../order/events';

export type InspectionReason = 'routing' | 'operator' | 'automatic' | 'reinspection';

export type InspectionResult = { characteristic: string; value?: number; passed: boolean };

export type InspectionSubject = { orderId: string; operationId?: string; lotId?: string; product?: string };

export type InspectionRequested = Event<
  'InspectionRequested',
  InspectionSubject & {
    inspectionId: string;
    reason: InspectionReason;
    characteristics: Characteristic[];
    /** The nonconformance a re-inspection is to close. */
    reinspectionOf?: string;
    requestedAt: string;
  }
>;
export type InspectionResultsRecorded = Event<
  'InspectionResultsRecorded',
  { inspectionId: string; results: InspectionResult[]; inspector: string; recordedAt: string }
>;
export type InspectionPassed = Event<
  'InspectionPassed',
  InspectionSubject & { inspectionId: string; reason: InspectionReason; reinspectionOf?: string; decidedAt: string }
>;
export type InspectionFailed = Event<
  'InspectionFailed',
  InspectionSubject & {
    inspectionId: string;
    reason: InspectionReason;
    reinspectionOf?: string;
    failed: InspectionResult[];
    /** All that was checked, so a re-inspection checks the same. */
    characteristics: Characteristic[];
    decidedAt: string;
  }
>;
export type InspectionCancelled = Event<
  'InspectionCancelled',
  { inspectionId: string; orderId: string; reason: string; cancelledAt: string }
>;

export type InspectionEvent =
  InspectionRequested | InspectionResultsRecorded | InspectionPassed | InspectionFailed | InspectionCancelled;

export const inspectionEventTypes = [
  'InspectionRequested',
  'InspectionResultsRecorded',
  'InspectionPassed',
  'InspectionFailed',
  'InspectionCancelled',
] as const satisfies readonly InspectionEvent['type'][];

type InspectionBody = {
  inspectionId: string;
  subject: InspectionSubject;
  reason: InspectionReason;
  characteristics: Characteristic[];
  reinspectionOf?: string;
  results: InspectionResult[];
};

export type InspectionState =
  | { status: 'Initial' }
  | (InspectionBody & { status: 'Requested' })
  | (InspectionBody & { status: 'Passed' })
  | (InspectionBody & { status: 'Failed' })
  | (InspectionBody & { status: 'Cancelled' });

export const evolveInspection = (state: InspectionState, event: InspectionEvent): InspectionState => {
  if (event.type === 'InspectionRequested') {
    const { inspectionId, orderId, operationId, lotId, product, reason, characteristics, reinspectionOf } = event.data;
    return {
      status: 'Requested',
      inspectionId,
      subject: {
        orderId,
        ...(operationId ? { operationId } : {}),
        ...(lotId ? { lotId } : {}),
        ...(product ? { product } : {}),
      },
      reason,
      characteristics,
      ...(reinspectionOf ? { reinspectionOf } : {}),
      results: [],
    };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'InspectionResultsRecorded':
      return { ...state, results: [...state.results, ...event.data.results] };
    case 'InspectionPassed':
      return { ...state, status: 'Passed' };
    case 'InspectionFailed':
      return { ...state, status: 'Failed' };
    case 'InspectionCancelled':
      return { ...state, status: 'Cancelled' };
  }
};
