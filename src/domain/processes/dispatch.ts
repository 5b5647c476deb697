import type { Directive } from '../aggregates';
import { metaFor, type Trigger } from './types';

/** The events dispatch reacts to. */
export const dispatchEvents = [
  'OperationReady',
  'OperationStarted',
  'OrderHeld',
  'OrderCancelled',
  'OrderReprioritised',
  'OrderRevised',
] as const;

/**
 * Keeps the work centers' queues: an operation that becomes ready joins its work center's queue and
 * leaves it when started, held or cancelled; reprioritising or revising an order (by hand or from an
 * ERP schedule) reorders its queued operations by their new priority and due date.
 */
export const dispatch = (event: Trigger): Directive[] => {
  const meta = metaFor(event, 'dispatch');
  switch (event.type) {
    case 'OperationReady': {
      const { orderId, operationId, workCenter, product, quantity, priority, dueDate, releasedAt, plannedMinutes } =
        event.data;
      return [
        {
          aggregate: 'workcenter',
          id: workCenter,
          command: {
            type: 'EnqueueOperation',
            data: {
              workCenter,
              orderId,
              operationId,
              product,
              quantity,
              priority,
              dueDate,
              releasedAt,
              plannedMinutes,
            },
            meta,
          },
        },
      ];
    }
    case 'OperationStarted': {
      const { orderId, operationId, workCenter } = event.data;
      return [
        {
          aggregate: 'workcenter',
          id: workCenter,
          command: { type: 'DequeueOperation', data: { workCenter, orderId, operationId, reason: 'started' }, meta },
        },
      ];
    }
    case 'OrderHeld':
    case 'OrderCancelled': {
      const reason = event.type === 'OrderHeld' ? 'held' : 'cancelled';
      return event.data.queued.map(({ operationId, workCenter }) => ({
        aggregate: 'workcenter',
        id: workCenter,
        command: {
          type: 'DequeueOperation',
          data: { workCenter, orderId: event.data.orderId, operationId, reason },
          meta,
        },
      }));
    }
    case 'OrderReprioritised':
      return event.data.queued.map(({ operationId, workCenter }) => ({
        aggregate: 'workcenter',
        id: workCenter,
        command: {
          type: 'ReprioritiseQueued',
          data: { workCenter, orderId: event.data.orderId, operationId, priority: event.data.priority },
          meta,
        },
      }));
    case 'OrderRevised': {
      const { orderId, spec, queued = [] } = event.data;
      return queued.flatMap(({ operationId, workCenter }): Directive[] => {
        const routed = spec.routing?.operations.find((op) => op.operationId === operationId);
        if (!routed) return [];
        return [
          {
            aggregate: 'workcenter',
            id: workCenter,
            command: {
              type: 'ReviseQueued',
              data: {
                workCenter,
                orderId,
                operationId,
                priority: spec.priority,
                dueDate: spec.dueDate,
                quantity: spec.quantity,
                plannedMinutes: routed.setupMinutes + routed.standardMinutesPerUnit * spec.quantity,
              },
              meta,
            },
          },
        ];
      });
    }
    default:
      return [];
  }
};
