import { dispatchEventTypes, dispatchOrder, type QueueEntry } from '../../domain/dispatch';
import { orderEventTypes, type OrderSpec } from '../../domain/order';
import type { Document } from '../../app/readStore';
import type { Projection } from '../runner';

type OperationDoc = {
  operationId: string;
  workCenter: string;
  status: string;
  good: number;
  scrap: number;
  rework: number;
};
type RunningDoc = {
  orderId: string;
  operationId: string;
  plannedMinutes: number;
  machineId?: string;
  startedAt?: string;
  paused?: boolean;
};

const remaining = (doc: Document): number => {
  const ops = doc['operations'] as OperationDoc[];
  const last = ops[ops.length - 1];
  return Math.max(0, (doc['quantity'] as number) - (last?.good ?? 0));
};

const loadHours = (queue: QueueEntry[], running: RunningDoc[]): number =>
  Math.round(
    ((queue.reduce((s, e) => s + e.plannedMinutes, 0) + running.reduce((s, r) => s + r.plannedMinutes, 0)) / 60) * 100,
  ) / 100;

const operationsOf = (routing: OrderSpec['routing']): OperationDoc[] =>
  (routing?.operations ?? []).map((op) => ({
    operationId: op.operationId,
    workCenter: op.workCenter,
    status: 'pending',
    good: 0,
    scrap: 0,
    rework: 0,
  }));

const workCenter = (doc: Document | undefined, id: string): Document =>
  doc ?? { _id: id, workCenter: id, queue: [], running: [], loadHours: 0 };

/**
 * Work in progress: per order (status, its operations with good and scrap, quantity remaining,
 * priority, due date) and per work center (the queue in dispatch order, what runs, load in hours).
 */
export const wipProjection: Projection = {
  name: 'wip',
  version: 1,
  collections: { orders: { indexes: ['status', 'dueDate', 'priority'] }, workCenters: {} },
  eventTypes: [...orderEventTypes.filter((type) => !type.startsWith('QualityLoop')), ...dispatchEventTypes],
  async apply(event, ctx) {
    const d = event.data as Record<string, unknown> & { orderId: string; operationId?: string; workCenter?: string };
    const order = (change: (doc: Document) => void) =>
      ctx.update('orders', d.orderId, (doc) => {
        if (!doc) return undefined;
        change(doc);
        doc['quantityRemaining'] = remaining(doc);
        return doc;
      });
    const operation = (change: (op: OperationDoc) => void) =>
      order((doc) => {
        const op = (doc['operations'] as OperationDoc[]).find((o) => o.operationId === d.operationId);
        if (op) change(op);
      });
    const wc = (id: string, change: (doc: Document) => void) =>
      ctx.update('workCenters', id, (doc) => {
        const next = workCenter(doc, id);
        change(next);
        next['loadHours'] = loadHours(next['queue'] as QueueEntry[], next['running'] as RunningDoc[]);
        return next;
      });
    const runningOf = (doc: Document): RunningDoc[] => doc['running'] as RunningDoc[];
    const same = (r: { orderId: string; operationId: string }) =>
      r.orderId === d.orderId && r.operationId === d.operationId;
    switch (event.type) {
      case 'OrderPlanned':
      case 'OrderRevised': {
        const spec = d['spec'] as OrderSpec;
        await ctx.update('orders', d.orderId, (doc) => {
          const keep = doc && doc['status'] !== 'Planned' ? (doc['operations'] as OperationDoc[]) : undefined;
          const operations = keep ?? operationsOf(spec.routing);
          const next: Document = {
            ...(doc ?? { _id: d.orderId, status: 'Planned' }),
            orderId: d.orderId,
            product: spec.product,
            ...(spec.productNames ? { productNames: spec.productNames } : {}),
            quantity: spec.quantity,
            unit: spec.unit,
            customer: spec.customer,
            priority: spec.priority,
            dueDate: spec.dueDate,
            operations,
          };
          next['quantityRemaining'] = remaining(next);
          return next;
        });
        return;
      }
      case 'OrderReleased': {
        // an order planned by product gets its operations from the master routing copied at release
        const routing = d['routing'] as OrderSpec['routing'];
        return order((doc) =>
          Object.assign(doc, {
            status: 'Released',
            releasedAt: d['releasedAt'],
            ...(routing ? { operations: operationsOf(routing), masterData: d['masterData'] } : {}),
          }),
        );
      }
      case 'OperationReady':
        return operation((op) => (op.status = 'ready'));
      case 'OrderHeld':
        return order((doc) => Object.assign(doc, { heldFrom: doc['status'], status: 'OnHold' }));
      case 'OrderResumed':
        return order((doc) => Object.assign(doc, { status: doc['heldFrom'] ?? 'Released', heldFrom: null }));
      case 'OrderReprioritised':
        return order((doc) => (doc['priority'] = d['priority']));
      case 'OrderCancelled':
        return order((doc) => (doc['status'] = 'Cancelled'));
      case 'OperationStarted':
        await operation((op) => (op.status = 'running'));
        await order((doc) => doc['status'] === 'Released' && (doc['status'] = 'InProgress'));
        // a started operation leaves the queue now: the dispatcher's dequeue may come after it completed
        return wc(d.workCenter as string, (doc) => {
          const queued = (doc['queue'] as QueueEntry[]).find(same);
          doc['queue'] = (doc['queue'] as QueueEntry[]).filter((e) => !same(e));
          const machineId = d['machineId'] as string | undefined;
          runningOf(doc).push({
            orderId: d.orderId,
            operationId: d.operationId as string,
            plannedMinutes: queued?.plannedMinutes ?? 0,
            startedAt: d['startedAt'] as string,
            ...(machineId ? { machineId } : {}),
          });
        });
      case 'OperationPaused':
      case 'OperationResumed': {
        const paused = event.type === 'OperationPaused';
        await operation((op) => (op.status = paused ? 'paused' : 'running'));
        const wip = await ctx.get('orders', d.orderId);
        const op = (wip?.['operations'] as OperationDoc[] | undefined)?.find((o) => o.operationId === d.operationId);
        if (op)
          await wc(op.workCenter, (doc) =>
            runningOf(doc)
              .filter(same)
              .forEach((r) => (r.paused = paused)),
          );
        return;
      }
      case 'OperationQuantityReported':
        return operation((op) => {
          op.good += d['good'] as number;
          op.scrap += d['scrap'] as number;
          op.rework += d['rework'] as number;
        });
      case 'OperationCompleted':
        await operation((op) => (op.status = 'completed'));
        return wc(d.workCenter as string, (doc) => (doc['running'] = runningOf(doc).filter((r) => !same(r))));
      case 'OrderCompleted':
        return order((doc) => Object.assign(doc, { status: 'Completed', completedAt: d['completedAt'] }));
      case 'OrderClosed':
        return order((doc) => (doc['status'] = 'Closed'));
      case 'OperationQueued': {
        const { workCenter: id, ...entry } = d as unknown as QueueEntry & { workCenter: string };
        return wc(
          id,
          (doc) =>
            (doc['queue'] = [...(doc['queue'] as QueueEntry[]).filter((e) => !same(e)), entry].sort(dispatchOrder)),
        );
      }
      case 'OperationDequeued':
        return wc(
          d.workCenter as string,
          (doc) => (doc['queue'] = (doc['queue'] as QueueEntry[]).filter((e) => !same(e))),
        );
      case 'QueuedOperationReprioritised':
        return wc(d.workCenter as string, (doc) => {
          (doc['queue'] as QueueEntry[]).filter(same).forEach((e) => (e.priority = d['priority'] as number));
          (doc['queue'] as QueueEntry[]).sort(dispatchOrder);
        });
      default:
        return;
    }
  },
};
