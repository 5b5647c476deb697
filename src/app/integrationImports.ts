import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonicalJson';
import type { CommandHandler } from './commandHandler';
import type { CommandMeta } from '../domain/messages';
import type { WmsMaterialReceipt } from '../domain/generated';
import type { OrderSpec } from '../domain/order';
import { IllegalStateError, isKnownError } from '../domain/errors';

/** One ProductionRequest of an ERP schedule, read by the ERP adapter: the order it asks for and where it stood. */
export type ScheduledOrder = { orderId: string; spec: OrderSpec; path: string };

/** Reads an ERP schedule (B2MML XML or its JSON rendering) into orders; refuses a bad one with its paths. */
export type ScheduleReader = (body: unknown, contentType: string) => ScheduledOrder[];

type Outcome = { element: string; outcome: string; revision?: number; rule?: string; reason?: string };

const refusal = (error: unknown): { outcome: 'refused'; rule: string; reason: string } => {
  if (!isKnownError(error)) throw error;
  return { outcome: 'refused', rule: (error as { rule?: string }).rule ?? error.type, reason: error.message };
};

/**
 * An ERP ProductionSchedule, by HTTP or NATS, as the ERP adapter read it: each ProductionRequest
 * plans its order, or revises it when it changed (refused once started). The same request again
 * creates nothing: its command id is the digest of what it asks.
 */
export const importSchedule = async (
  deps: { commands: CommandHandler },
  orders: readonly ScheduledOrder[],
  meta: CommandMeta,
  correlationId: string,
): Promise<(Outcome & { orderId: string })[]> => {
  const results = [];
  for (const { orderId, spec, path } of orders) {
    const digest = createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 24);
    const context = { commandId: `erp:${orderId}:${digest}`, correlationId, source: 'erp' as const, inputId: orderId };
    try {
      const planned = await deps.commands.handle(
        'order',
        orderId,
        { type: 'PlanOrder', data: { orderId, spec }, meta },
        context,
      );
      results.push({
        orderId,
        element: path,
        outcome: planned.duplicate ? 'unchanged' : 'planned',
        revision: planned.revision,
      });
    } catch (error) {
      // a request refused on its own (a product master data lacks) is answered as such; the others go on
      if (!(error instanceof IllegalStateError) || error.rule !== 'order-exists') {
        results.push({ orderId, element: path, ...refusal(error) });
        continue;
      }
      try {
        const revised = await deps.commands.handle(
          'order',
          orderId,
          { type: 'ReviseOrder', data: { orderId, spec }, meta },
          { ...context, commandId: `erp:revise:${orderId}:${digest}` },
        );
        results.push({
          orderId,
          element: path,
          outcome: revised.events.length > 0 ? 'revised' : 'unchanged',
          revision: revised.revision,
        });
      } catch (error) {
        results.push({ orderId, element: path, ...refusal(error) });
      }
    }
  }
  return results;
};

export type MaterialReceipt = WmsMaterialReceipt;

/**
 * A WMS material receipt, by HTTP or NATS, validated whole against schemas/wms/materialReceipt.json by
 * its caller (the route table, or the NATS import) before any lot is received: each line becomes a lot;
 * the same receipt again creates nothing; a lot id already used by another receipt is refused.
 */
export const receiveMaterial = async (
  deps: { commands: CommandHandler },
  receipt: MaterialReceipt,
  meta: CommandMeta,
  correlationId: string,
): Promise<(Outcome & { lotId: string })[]> => {
  const results = [];
  for (const [index, line] of receipt.lines.entries()) {
    const element = `/lines/${index}`;
    try {
      const received = await deps.commands.handle(
        'lot',
        line.lotId,
        {
          type: 'ReceiveLot',
          data: { ...line, supplier: receipt.supplier, source: 'wms' },
          meta: receipt.receivedAt ? { ...meta, now: receipt.receivedAt } : meta,
        },
        {
          commandId: `wms:receipt:${receipt.receiptId}:${line.lotId}`,
          correlationId,
          source: 'wms',
          inputId: receipt.receiptId,
          // the WMS's receipt time may not be later than the server's (meta's) plus the skew
          receivedAt: meta.now,
          clientTimeField: '/receivedAt',
        },
      );
      results.push({
        lotId: line.lotId,
        element,
        outcome: received.duplicate ? 'unchanged' : 'received',
        revision: received.revision,
      });
    } catch (error) {
      results.push({ lotId: line.lotId, element, ...refusal(error) });
    }
  }
  return results;
};
