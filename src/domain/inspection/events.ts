import type * as Schema from '../generated';
import type { Event } from '../messages';
import type { Characteristic } from '../order/events';

export type InspectionReason = Schema.InspectionRequestedV1['reason'];

export type InspectionResult = Schema.InspectionResult;

/** What is inspected: an order's operation output, a lot, and how many units (when known). */
export type InspectionSubject = Pick<
  Schema.InspectionRequestedV1,
  'orderId' | 'operationId' | 'lotId' | 'product' | 'quantity' | 'unit'
>;

/** `reinspectionOf`: the nonconformance a re-inspection is to close. */
export type InspectionRequested = Event<'InspectionRequested', Schema.InspectionRequestedV1>;
export type InspectionResultsRecorded = Event<'InspectionResultsRecorded', Schema.InspectionResultsRecordedV1>;
export type InspectionPassed = Event<'InspectionPassed', Schema.InspectionPassedV1>;
/** `characteristics`: all that was checked, so a re-inspection checks the same. */
export type InspectionFailed = Event<'InspectionFailed', Schema.InspectionFailedV1>;
export type InspectionCancelled = Event<'InspectionCancelled', Schema.InspectionCancelledV1>;

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
    const {
      inspectionId,
      orderId,
      operationId,
      lotId,
      product,
      quantity,
      unit,
      reason,
      characteristics,
      reinspectionOf,
    } = event.data;
    return {
      status: 'Requested',
      inspectionId,
      subject: {
        ...(orderId ? { orderId } : {}),
        ...(operationId ? { operationId } : {}),
        ...(lotId ? { lotId } : {}),
        ...(product ? { product } : {}),
        ...(quantity !== undefined ? { quantity } : {}),
        ...(unit ? { unit } : {}),
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
