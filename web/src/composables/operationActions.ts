import type { OutboxEntry } from './offlineQueue';
import { uuid } from './uuid';
import type { OperationStatus, WipOrder } from './workList';

export type ScanAction = 'start' | 'pause' | 'resume' | 'report' | 'complete';
export type Quantities = { good: number; scrap: number; rework: number; scrapReason?: string };

/** The actions an operation's state allows (the backbone refuses the others anyway). */
export const actionsFor = (status: OperationStatus | undefined): ScanAction[] => {
  switch (status) {
    case 'ready':
      return ['start'];
    case 'running':
      return ['pause', 'report', 'complete'];
    case 'paused':
      return ['resume', 'report', 'complete'];
    default:
      return [];
  }
};

/** One scan (`POST /api/scans`, schemas/commands/scan.json) with its own scan id, as the outbox keeps it. */
export const scanEntry = (input: {
  card: string;
  orderId: string;
  operationId: string;
  action: ScanAction;
  operatorId: string;
  reason?: string;
  quantities?: Quantities;
}): Omit<OutboxEntry, 'seq' | 'createdAt' | 'state'> => {
  const id = uuid();
  const q = input.quantities;
  const counts: Record<string, number> = q ? { good: q.good, scrap: q.scrap, rework: q.rework } : {};
  return {
    id,
    kind: 'scan',
    path: '/api/scans',
    body: {
      scanId: id,
      card: input.card,
      action: input.action,
      operatorId: input.operatorId,
      ...counts,
      ...(q?.scrapReason && q.scrap > 0 ? { scrapReason: q.scrapReason } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
    },
    label: { action: input.action, orderId: input.orderId, operationId: input.operationId, ...counts },
  };
};

/** A material issue (`POST /api/lots/{lotId}/issue`), its id sent as Idempotency-Key. */
export const issueEntry = (input: {
  lotId: string;
  orderId: string;
  operationId: string;
  quantity: number;
}): Omit<OutboxEntry, 'seq' | 'createdAt' | 'state'> => ({
  id: uuid(),
  kind: 'issue',
  path: `/api/lots/${encodeURIComponent(input.lotId)}/issue`,
  body: { orderId: input.orderId, operationId: input.operationId, quantity: input.quantity },
  label: { action: 'issue', ...input },
});

const NEXT: Record<ScanAction, OperationStatus | undefined> = {
  start: 'running',
  pause: 'paused',
  resume: 'running',
  report: undefined,
  complete: 'completed',
};

/** The order as the operator's action leaves it, shown until the read model says so itself. */
export const afterScan = (order: WipOrder, operationId: string, action: ScanAction, q?: Quantities): WipOrder => ({
  ...order,
  operations: order.operations.map((op) =>
    op.operationId !== operationId
      ? op
      : {
          ...op,
          status: NEXT[action] ?? op.status,
          good: op.good + (q?.good ?? 0),
          scrap: op.scrap + (q?.scrap ?? 0),
          rework: op.rework + (q?.rework ?? 0),
        },
  ),
});
