import type { OrderEvent } from './events';

/**
 * A hold point in force on an order: a required (routing) inspection of an operation's output, or an
 * open nonconformance. It holds the operations after its operation (every operation not yet started
 * when it names none) until it closes or a quality user releases it with a reason.
 */
export type Hold = {
  holdId: string;
  kind: 'inspection' | 'nonconformance';
  operationId?: string;
  /** Released by a quality user: it holds nothing more, though its inspection or NC stays open. */
  released: boolean;
};

type Holding = {
  holds?: Hold[];
  operations: ReadonlyArray<{ operationId: string; status: string }>;
};

/** The holds after an event: a routing inspection or a nonconformance opens one; its loop's close ends it. */
export const evolveHolds = (holds: Hold[] | undefined, event: OrderEvent): Hold[] | undefined => {
  switch (event.type) {
    case 'QualityLoopOpened': {
      const { loopId, kind, reason, operationId } = event.data;
      // a rework's re-inspection holds nothing of its own: its nonconformance holds
      const holding = kind === 'nonconformance' || (reason === 'routing' && !event.data.reinspectionOf);
      if (!holding || holds?.some((h) => h.holdId === loopId)) return holds;
      return [...(holds ?? []), { holdId: loopId, kind, released: false, ...(operationId ? { operationId } : {}) }];
    }
    case 'QualityLoopClosed':
      return holds?.filter((h) => h.holdId !== event.data.loopId);
    case 'HoldReleased':
      return holds?.map((h) => (h.holdId === event.data.holdId ? { ...h, released: true } : h));
    default:
      return holds;
  }
};

/** The hold in force on the operation at `index`, if any (the first one found). */
export const holdOn = (state: Holding, index: number): Hold | undefined => {
  const op = state.operations[index];
  if (!op) return undefined;
  return (state.holds ?? []).find((hold) => {
    if (hold.released) return false;
    if (!hold.operationId) return op.status === 'pending' || op.status === 'ready';
    const at = state.operations.findIndex((o) => o.operationId === hold.operationId);
    return at >= 0 && at < index;
  });
};

/** The holds still in force. */
export const holdsInForce = (state: Holding): Hold[] => (state.holds ?? []).filter((h) => !h.released);

/** The refusal rule that names a hold: `inspection-hold` or `nonconformance-hold`. */
export const holdRule = (hold: Hold): string => `${hold.kind}-hold`;
