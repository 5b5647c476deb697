/** An operation as the WIP read model keeps it on its order. */
type OrderOperation = {
  operationId: string;
  workCenter: string;
  status: string;
  plannedMinutes?: number;
  startedAt?: string;
  completedAt?: string;
  machineId?: string;
};
/** What the Gantt reads of a WIP order. */
export type GanttOrder = { orderId: string; product: string; productName?: string; operations: OrderOperation[] };
/** What the Gantt reads of a WIP work center, its queue already in the order of its dispatch rule. */
export type GanttWorkCenter = {
  workCenter: string;
  dispatchRule?: string;
  queue: ReadonlyArray<{ orderId: string; operationId: string; plannedMinutes: number }>;
  running: ReadonlyArray<{
    orderId: string;
    operationId: string;
    plannedMinutes: number;
    startedAt?: string;
    machineId?: string;
  }>;
};

/** `done`: started and completed; `running`: started, drawn to its planned end (or now); `planned`: queued. */
export type GanttBar = {
  kind: 'done' | 'running' | 'planned';
  orderId: string;
  operationId: string;
  product?: string;
  productName?: string;
  /** The machine it ran on, or the one it would run on first (a lane); the work center's own when none. */
  lane: string;
  start: string;
  end: string;
};
export type Gantt = {
  workCenter: string;
  dispatchRule?: string;
  from: string;
  now: string;
  lanes: string[];
  bars: GanttBar[];
};

const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A work center's Gantt from the WIP read model: operations completed since `from` and those running,
 * each on its machine's lane; then the queue in its dispatch order, each operation on the lane that
 * frees up first (a running one frees it at its planned end, never before now), for its planned minutes.
 */
export const ganttOf = (center: GanttWorkCenter, orders: readonly GanttOrder[], from: number, now: number): Gantt => {
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const lane = (machineId: string | undefined): string => machineId ?? center.workCenter;
  const named = (orderId: string) => {
    const order = byId.get(orderId);
    return {
      ...(order ? { product: order.product } : {}),
      ...(order?.productName ? { productName: order.productName } : {}),
    };
  };
  const bars: GanttBar[] = [];
  for (const order of orders)
    for (const op of order.operations) {
      if (op.workCenter !== center.workCenter || op.status !== 'completed' || !op.startedAt || !op.completedAt)
        continue;
      if (Date.parse(op.completedAt) < from) continue;
      bars.push({
        kind: 'done',
        orderId: order.orderId,
        operationId: op.operationId,
        ...named(order.orderId),
        lane: lane(op.machineId),
        start: op.startedAt,
        end: op.completedAt,
      });
    }
  const free = new Map<string, number>();
  for (const bar of bars) free.set(bar.lane, now);
  for (const run of center.running) {
    const start = run.startedAt ? Date.parse(run.startedAt) : now;
    const end = Math.max(now, start + run.plannedMinutes * MINUTE);
    const at = lane(run.machineId);
    free.set(at, Math.max(free.get(at) ?? now, end));
    bars.push({
      kind: 'running',
      orderId: run.orderId,
      operationId: run.operationId,
      ...named(run.orderId),
      lane: at,
      start: iso(start),
      end: iso(end),
    });
  }
  if (free.size === 0) free.set(center.workCenter, now);
  for (const entry of center.queue) {
    const [at, start] = [...free.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
    const end = start + Math.max(1, entry.plannedMinutes) * MINUTE;
    free.set(at, end);
    bars.push({
      kind: 'planned',
      orderId: entry.orderId,
      operationId: entry.operationId,
      ...named(entry.orderId),
      lane: at,
      start: iso(start),
      end: iso(end),
    });
  }
  return {
    workCenter: center.workCenter,
    ...(center.dispatchRule ? { dispatchRule: center.dispatchRule } : {}),
    from: iso(from),
    now: iso(now),
    lanes: [...free.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })), // M2 before M10
    bars,
  };
};
