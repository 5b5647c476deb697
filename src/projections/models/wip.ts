import { dispatchEventTypes, dispatchOrder, type QueueEntry } from '../../domain/dispatch';
import { orderEventTypes, type OrderSpec, type RoutingOperation } from '../../domain/order';
import type { Document } from '../../app/readStore';
import { andThen, type Projection } from '../runner';

type OperationDoc = {
  operationId: string;
  workCenter: string;
  status: string;
  good: number;
  scrap: number;
  rework: number;
  /** Setup plus standard time for the order quantity: what the critical ratio counts as work left. */
  plannedMinutes: number;
  /** When it started and completed, and on which machine (the planner's Gantt). */
  startedAt?: string;
  completedAt?: string;
  machineId?: string;
};
type Operation = { orderId: string; operationId: string };
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

const plannedMinutesOf = (op: RoutingOperation, quantity: number): number =>
  op.setupMinutes + op.standardMinutesPerUnit * quantity;

const operationsOf = (routing: OrderSpec['routing'], quantity: number): OperationDoc[] =>
  (routing?.operations ?? []).map((op) => ({
    operationId: op.operationId,
    workCenter: op.workCenter,
    status: 'pending',
    good: 0,
    scrap: 0,
    rework: 0,
    plannedMinutes: plannedMinutesOf(op, quantity),
  }));

/** Operations kept through a revision (their progress stays) with the revised quantity's planned minutes. */
const replanned = (operations: OperationDoc[], spec: OrderSpec): OperationDoc[] =>
  operations.map((op) => {
    const routed = spec.routing?.operations.find((r) => r.operationId === op.operationId);
    return routed ? { ...op, plannedMinutes: plannedMinutesOf(routed, spec.quantity) } : op;
  });

/** The due date as the instant it denotes (epoch ms), which sorts right whatever the offsets. */
const instantOf = (iso: string): number | null => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

const workCenter = (doc: Document | undefined, id: string): Document =>
  doc ?? { _id: id, workCenter: id, queue: [], running: [], loadHours: 0 };

/**
 * Work in progress: per order (status, its operations with good, scrap and planned minutes, quantity
 * remaining, priority, due date and `dueAt`, the due date's instant in epoch ms, which the due-date
 * sort uses) and per work center (the queue in default dispatch order, what runs, load in hours).
 */
export const wipProjection: Projection = {
  name: 'wip',
  // 2: InProgress from the first start, dueAt, planned minutes per operation, cancel clears the load;
  // 3: scrap dispositions and rework operations (quality containment);
  // 4: each operation's start, completion and machine (the planner's Gantt)
  version: 4,
  // completedAt: the dashboard reads the orders completed in its period and the open ones (no completion) by it
  collections: { orders: { indexes: ['status', 'dueDate', 'dueAt', 'priority', 'completedAt'] }, workCenters: {} },
  eventTypes: [...orderEventTypes.filter((type) => !type.startsWith('QualityLoop')), ...dispatchEventTypes],
  // not async: an event changes one or two documents, in memory in a rebuild, and returns their updates
  // without an await (andThen); the rare events that read first await in a function of their own
  apply(event, ctx) {
    const order = (orderId: string, change: (doc: Document) => void) =>
      ctx.update('orders', orderId, (doc) => {
        if (!doc) return undefined;
        change(doc);
        doc['quantityRemaining'] = remaining(doc);
        return doc;
      });
    const operation = (op: Operation, change: (op: OperationDoc) => void) =>
      order(op.orderId, (doc) => {
        const isIt = (o: OperationDoc) => o.operationId === op.operationId;
        const found =
          (doc['operations'] as OperationDoc[]).find(isIt) ??
          (doc['reworks'] as OperationDoc[] | undefined)?.find(isIt);
        if (found) change(found);
      });
    const wc = (id: string, change: (doc: Document) => void) =>
      ctx.update('workCenters', id, (doc) => {
        const next = workCenter(doc, id);
        change(next);
        next['loadHours'] = loadHours(next['queue'] as QueueEntry[], next['running'] as RunningDoc[]);
        return next;
      });
    const runningOf = (doc: Document): RunningDoc[] => doc['running'] as RunningDoc[];
    const queueOf = (doc: Document): QueueEntry[] => doc['queue'] as QueueEntry[];
    const same = (op: Operation) => (r: Operation) => r.orderId === op.orderId && r.operationId === op.operationId;
    switch (event.type) {
      case 'OrderPlanned':
      case 'OrderRevised': {
        const { orderId, spec } = event.data;
        return ctx.update('orders', orderId, (doc) => {
          const keep = doc && doc['status'] !== 'Planned' ? (doc['operations'] as OperationDoc[]) : undefined;
          const operations = keep ? replanned(keep, spec) : operationsOf(spec.routing, spec.quantity);
          const next: Document = {
            ...(doc ?? { _id: orderId, status: 'Planned' }),
            orderId,
            product: spec.product,
            ...(spec.productNames ? { productNames: spec.productNames } : {}),
            quantity: spec.quantity,
            unit: spec.unit,
            customer: spec.customer,
            priority: spec.priority,
            dueDate: spec.dueDate,
            dueAt: instantOf(spec.dueDate),
            operations,
          };
          next['quantityRemaining'] = remaining(next);
          return next;
        });
      }
      case 'OrderReleased': {
        // an order planned by product gets its operations from the master routing copied at release
        const { releasedAt, routing, masterData } = event.data;
        return order(event.data.orderId, (doc) =>
          Object.assign(doc, {
            status: 'Released',
            releasedAt,
            ...(routing ? { operations: operationsOf(routing, doc['quantity'] as number), masterData } : {}),
          }),
        );
      }
      case 'OperationReady':
        return operation(event.data, (op) => (op.status = 'ready'));
      case 'OrderHeld':
        return order(event.data.orderId, (doc) => Object.assign(doc, { heldFrom: doc['status'], status: 'OnHold' }));
      case 'OrderResumed':
        return order(event.data.orderId, (doc) =>
          Object.assign(doc, { status: doc['heldFrom'] ?? 'Released', heldFrom: null }),
        );
      case 'OrderReprioritised': {
        const { priority } = event.data;
        return order(event.data.orderId, (doc) => (doc['priority'] = priority));
      }
      case 'OrderCancelled': {
        // its operations leave every queue and stop running: the work centers' load forgets them
        const { orderId } = event.data;
        return (async () => {
          const wip = await ctx.get('orders', orderId);
          await order(orderId, (doc) => (doc['status'] = 'Cancelled'));
          const centers = new Set(
            ((wip?.['operations'] as OperationDoc[] | undefined) ?? []).map((op) => op.workCenter),
          );
          for (const id of centers)
            await wc(id, (doc) => {
              doc['queue'] = queueOf(doc).filter((e) => e.orderId !== orderId);
              doc['running'] = runningOf(doc).filter((r) => r.orderId !== orderId);
            });
        })();
      }
      case 'OperationStarted': {
        const { orderId, operationId, workCenter: id, machineId, startedAt } = event.data;
        // one update: a second change of the same document for the same event would be taken for a replay
        let planned = 0;
        const started = order(orderId, (doc) => {
          const op = (doc['operations'] as OperationDoc[]).find((o) => o.operationId === operationId);
          if (op) Object.assign(op, { status: 'running', startedAt, ...(machineId ? { machineId } : {}) });
          planned = op?.plannedMinutes ?? 0;
          if (doc['status'] === 'Released') doc['status'] = 'InProgress';
        });
        // a started operation leaves the queue now: the dispatcher's dequeue may come after it completed
        return andThen(started, () =>
          wc(id, (doc) => {
            const queued = queueOf(doc).find(same(event.data));
            doc['queue'] = queueOf(doc).filter((e) => !same(event.data)(e));
            runningOf(doc).push({
              orderId,
              operationId,
              plannedMinutes: queued?.plannedMinutes ?? planned,
              startedAt,
              ...(machineId ? { machineId } : {}),
            });
          }),
        );
      }
      case 'OperationPaused':
      case 'OperationResumed': {
        const paused = event.type === 'OperationPaused';
        const { data } = event;
        return (async () => {
          await operation(data, (op) => (op.status = paused ? 'paused' : 'running'));
          const wip = await ctx.get('orders', data.orderId);
          const operations = [
            ...((wip?.['operations'] as OperationDoc[] | undefined) ?? []),
            ...((wip?.['reworks'] as OperationDoc[] | undefined) ?? []),
          ];
          const op = operations.find((o) => o.operationId === data.operationId);
          if (op)
            await wc(op.workCenter, (doc) =>
              runningOf(doc)
                .filter(same(data))
                .forEach((r) => (r.paused = paused)),
            );
        })();
      }
      case 'OperationQuantityReported': {
        const { good, scrap, rework } = event.data;
        return operation(event.data, (op) => {
          op.good += good;
          op.scrap += scrap;
          op.rework += rework;
        });
      }
      case 'ReworkOperationAdded': {
        // a rework operation, outside the routing's sequence: listed apart so quantity remaining is the routing's
        const { operationId, workCenter: at, reworkOf, nonconformanceId, quantity } = event.data;
        return order(event.data.orderId, (doc) => {
          const reworks = (doc['reworks'] as OperationDoc[] | undefined) ?? [];
          doc['reworks'] = [
            ...reworks,
            {
              operationId,
              workCenter: at,
              status: 'pending',
              good: 0,
              scrap: 0,
              rework: 0,
              reworkOf,
              nonconformanceId,
              quantity,
            },
          ];
        });
      }
      case 'NonconformingScrapped': {
        // a scrap disposition: good units of the operation's output became scrap
        const { quantity } = event.data;
        return operation(event.data, (op) => {
          op.good = Math.max(0, op.good - quantity);
          op.scrap += quantity;
        });
      }
      case 'OperationCompleted':
        // the completion time beside the start time (a rework operation has neither: it is not in the Gantt)
        return andThen(
          operation(event.data, (op) =>
            Object.assign(op, {
              status: 'completed',
              ...(op.startedAt ? { completedAt: event.data.completedAt } : {}),
            }),
          ),
          () =>
            wc(event.data.workCenter, (doc) => (doc['running'] = runningOf(doc).filter((r) => !same(event.data)(r)))),
        );
      case 'OrderCompleted': {
        const { completedAt } = event.data;
        return order(event.data.orderId, (doc) => Object.assign(doc, { status: 'Completed', completedAt }));
      }
      case 'OrderClosed':
        return order(event.data.orderId, (doc) => (doc['status'] = 'Closed'));
      case 'OperationQueued': {
        const { workCenter: id, ...entry } = event.data;
        return wc(
          id,
          (doc) => (doc['queue'] = [...queueOf(doc).filter((e) => !same(entry)(e)), entry].sort(dispatchOrder)),
        );
      }
      case 'OperationDequeued':
        return wc(event.data.workCenter, (doc) => (doc['queue'] = queueOf(doc).filter((e) => !same(event.data)(e))));
      case 'QueuedOperationReprioritised': {
        const { priority } = event.data;
        return wc(event.data.workCenter, (doc) => {
          queueOf(doc)
            .filter(same(event.data))
            .forEach((e) => (e.priority = priority));
          queueOf(doc).sort(dispatchOrder);
        });
      }
      case 'QueuedOperationRevised': {
        const { priority, dueDate, quantity, plannedMinutes } = event.data;
        return wc(event.data.workCenter, (doc) => {
          queueOf(doc)
            .filter(same(event.data))
            .forEach((e) => Object.assign(e, { priority, dueDate, quantity, plannedMinutes }));
          queueOf(doc).sort(dispatchOrder);
        });
      }
      default:
        return;
    }
  },
};
