import { inject, ref, type InjectionKey, type Ref } from 'vue';
import type { ApiClient } from './api';

export type OperationStatus = 'pending' | 'ready' | 'running' | 'paused' | 'completed';

/** An order as the WIP read model answers it (`GET /api/wip/orders/{orderId}`). */
export type WipOrder = {
  orderId: string;
  status: string;
  product: string;
  quantity: number;
  unit: string;
  customer?: string;
  priority: number;
  dueDate: string;
  late: boolean;
  quantityRemaining: number;
  operations: Array<{
    operationId: string;
    workCenter: string;
    status: OperationStatus;
    good: number;
    scrap: number;
    rework: number;
  }>;
};

type QueueEntry = { orderId: string; operationId: string; priority: number; dueDate: string };
type Running = { orderId: string; operationId: string; startedAt?: string; paused?: boolean };
/** A work center as the WIP read model answers it: its queue in dispatch order and what runs. */
type WorkCenterDoc = { workCenter: string; queue: QueueEntry[]; running: Running[] };

/** One line of "my work": an operation ready or running, with what the operator needs to see. */
export type WorkItem = {
  orderId: string;
  operationId: string;
  workCenter: string;
  status: OperationStatus;
  product: string;
  customer?: string;
  quantity: number;
  unit: string;
  good: number;
  scrap: number;
  remaining: number;
  dueDate: string;
  late: boolean;
  /** The next step: what the operator does with the card. */
  next: 'start' | 'report' | 'resume';
};

export const nextStep = (status: OperationStatus): WorkItem['next'] =>
  status === 'paused' ? 'resume' : status === 'ready' || status === 'pending' ? 'start' : 'report';

export const workItem = (order: WipOrder, operationId: string, fallback: OperationStatus): WorkItem | undefined => {
  const op = order.operations.find((o) => o.operationId === operationId);
  if (!op) return undefined;
  const status = op.status === 'pending' ? fallback : op.status;
  return {
    orderId: order.orderId,
    operationId,
    workCenter: op.workCenter,
    status,
    product: order.product,
    ...(order.customer ? { customer: order.customer } : {}),
    quantity: order.quantity,
    unit: order.unit,
    good: op.good,
    scrap: op.scrap,
    remaining: Math.max(0, order.quantity - op.good),
    dueDate: order.dueDate,
    late: order.late,
    next: nextStep(status),
  };
};

/** Work centers that have open work now (for an operator to pick theirs until people data names them). */
export const knownWorkCenters = async (api: ApiClient): Promise<string[]> => {
  const pages = await Promise.all(
    ['Released', 'InProgress'].map((status) =>
      api.get<{ items: WipOrder[] }>(`/api/wip/orders?status=${status}&limit=1000`),
    ),
  );
  const centers = pages.flatMap((p) => p.items.flatMap((o) => o.operations.map((op) => op.workCenter)));
  return [...new Set(centers)].sort();
};

/**
 * My work per work center: what runs first, then the queue in dispatch order (the backbone's order:
 * priority, due date, release time), each with its order's figures from the WIP read model.
 */
export const loadWork = async (
  api: ApiClient,
  workCenters: readonly string[],
): Promise<Array<{ workCenter: string; items: WorkItem[] }>> => {
  const centers = await Promise.all(
    workCenters.map((wc) => api.get<WorkCenterDoc>(`/api/wip/work-centers/${encodeURIComponent(wc)}`)),
  );
  const ids = [...new Set(centers.flatMap((c) => [...c.running, ...c.queue].map((e) => e.orderId)))];
  const orders = new Map(
    (await Promise.all(ids.map((id) => api.get<WipOrder>(`/api/wip/orders/${encodeURIComponent(id)}`)))).map((o) => [
      o.orderId,
      o,
    ]),
  );
  return centers.map((center, i) => {
    const entries: Array<[Running | QueueEntry, OperationStatus]> = [
      ...center.running.map((r): [Running, OperationStatus] => [r, r.paused ? 'paused' : 'running']),
      ...center.queue.map((q): [QueueEntry, OperationStatus] => [q, 'ready']),
    ];
    const items = entries.flatMap(([entry, status]) => {
      const order = orders.get(entry.orderId);
      const item = order && workItem(order, entry.operationId, status);
      return item && item.status !== 'completed' ? [item] : [];
    });
    return { workCenter: workCenters[i] as string, items };
  });
};

export type WorkGroups = Array<{ workCenter: string; items: WorkItem[] }>;
const KEPT = 'mes.work';

/**
 * My work as the screen shows it: the list last read (kept on the device, shown at once and offline)
 * and a refresh that callers share: main.ts starts one before the screen is drawn.
 */
export const createMyWork = (deps: { api: ApiClient; storage: Storage; workCenters: () => readonly string[] }) => {
  const groups: Ref<WorkGroups> = ref(JSON.parse(deps.storage.getItem(KEPT) ?? '[]') as WorkGroups);
  let running: Promise<void> | undefined;
  let again = false;
  const load = async (): Promise<void> => {
    const chosen = deps.workCenters();
    const centers = chosen.length > 0 ? chosen : await knownWorkCenters(deps.api);
    groups.value = await loadWork(deps.api, centers);
    deps.storage.setItem(KEPT, JSON.stringify(groups.value));
  };
  /** Reads my work again; a call while a read runs gets another read after it (the log moved on). */
  const refresh = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = load()
      .catch(() => undefined) // offline or refused: the list as last read stays, the banner says why
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void refresh();
        }
      });
    return running;
  };
  /** Reads my work unless a read is under way (the one main.ts started while the screen was drawn). */
  const ensure = (): Promise<void> => running ?? refresh();
  return { groups, refresh, ensure };
};

export type MyWork = ReturnType<typeof createMyWork>;
export const MY_WORK: InjectionKey<MyWork> = Symbol('myWork');

export const useMyWork = (): MyWork => {
  const work = inject(MY_WORK);
  if (!work) throw new Error('my work is provided by main.ts');
  return work;
};
