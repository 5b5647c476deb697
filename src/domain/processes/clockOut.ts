import type { Directive } from '../aggregates';
import { metaFor, type Trigger } from './types';

/** The events the clock-out process reads: clockings to know who is in, and what ends their work. */
export const clockOutEvents = [
  'OperatorClockedIn',
  'OperatorClockedOut',
  'OrderHeld',
  'OrderCancelled',
  'OperationCompleted',
] as const;

/** What the view of clockings folds. */
export const clockingEvents = ['OperatorClockedIn', 'OperatorClockedOut'] as const;

/** Who is clocked onto what: order → operation → operator → clocked in at. */
export type ClockingsView = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;

export const emptyClockings: ClockingsView = {};

export const evolveClockings = (view: ClockingsView, trigger: Trigger): ClockingsView => {
  switch (trigger.type) {
    case 'OperatorClockedIn': {
      const { orderId, operationId, operatorId, at } = trigger.data;
      const order = view[orderId] ?? {};
      return { ...view, [orderId]: { ...order, [operationId]: { ...order[operationId], [operatorId]: at } } };
    }
    case 'OperatorClockedOut': {
      const { orderId, operationId, operatorId } = trigger.data;
      const order = view[orderId];
      if (!order?.[operationId]?.[operatorId]) return view;
      const { [operatorId]: _out, ...operators } = order[operationId];
      const { [operationId]: _op, ...operations } = order;
      const nextOrder = Object.keys(operators).length > 0 ? { ...operations, [operationId]: operators } : operations;
      if (Object.keys(nextOrder).length > 0) return { ...view, [orderId]: nextOrder };
      const { [orderId]: _order, ...rest } = view;
      return rest;
    }
    default:
      return view;
  }
};

const later = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * Labour that ends with the work: an order held or cancelled clocks out everyone clocked onto its
 * operations, and an operation completed clocks out everyone still on it (the operator who completed
 * it clocks out with the scan). Each clock-out is at the event's time (never before the clock-in), so
 * payroll counts no hours after the work stopped.
 */
export const clockOuts = (trigger: Trigger, view: ClockingsView): Directive[] => {
  const meta = metaFor(trigger, 'clock-out');
  const out = (orderId: string, operationId: string, except?: string): Directive[] =>
    Object.entries(view[orderId]?.[operationId] ?? {})
      .filter(([operatorId]) => operatorId !== except)
      .map(([operatorId, since]) => ({
        aggregate: 'operator',
        id: operatorId,
        command: {
          type: 'ClockOut',
          data: { operatorId, orderId, operationId, at: later(trigger.occurredAt, since) },
          meta,
        },
      }));
  switch (trigger.type) {
    case 'OrderHeld':
    case 'OrderCancelled': {
      const { orderId } = trigger.data;
      return Object.keys(view[orderId] ?? {}).flatMap((operationId) => out(orderId, operationId));
    }
    case 'OperationCompleted':
      return out(trigger.data.orderId, trigger.data.operationId, trigger.actor);
    default:
      return [];
  }
};
