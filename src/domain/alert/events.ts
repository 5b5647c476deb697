import type * as Schema from '../generated';
import type { Event } from '../messages';

/** `maintenance-overdue`, `machine-down`, `inspection-failed` or `equipment-health`. */
export type AlertKind = Schema.AlertKind;
export const ALERT_KINDS = [
  'maintenance-overdue',
  'machine-down',
  'inspection-failed',
  'equipment-health',
] as const satisfies readonly AlertKind[];

/** One occurrence of a condition people must hear about, with what they read in zh-CN and en. */
export type AlertRaised = Event<'AlertRaised', Schema.AlertRaisedV1>;

export type AlertEvent = AlertRaised;

export const alertEventTypes = ['AlertRaised'] as const satisfies readonly AlertEvent['type'][];

/** An alert's stream holds one occurrence: raised, or not yet. */
export type AlertState = { status: 'Initial' } | { status: 'Raised'; alertId: string; kind: AlertKind };

export const evolveAlert = (state: AlertState, event: AlertEvent): AlertState => {
  switch (event.type) {
    case 'AlertRaised':
      return state.status === 'Initial'
        ? { status: 'Raised', alertId: event.data.alertId, kind: event.data.kind }
        : state;
  }
};
