import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonicalJson';
import type { CommandHandler } from './commandHandler';
import type { CommandMeta } from '../domain/messages';
import type { WmsMaterialReceipt, WmsShipment } from '../domain/generated';
import type { OrderSpec } from '../domain/order';
import { IllegalStateError, isKnownError, ValidationError, type FieldProblem } from '../domain/errors';

/** One ProductionRequest of an ERP schedule, read by the ERP adapter: the order it asks for and where it stood. */
export type ScheduledOrder = {
  orderId: string;
  spec: OrderSpec;
  path: string;
  /** Where each field of the order came from: JSON pointer (`/dueDate`) to element path, for refusals. */
  fields: Readonly<Record<string, string>>;
};

/** A ProductionRequest the adapter could not read as an order: its element path and each problem once. */
export type UnreadableRequest = { orderId?: string; path: string; problems: FieldProblem[] };

/** Each ProductionRequest of a schedule in document order: an order to plan, or why it cannot be one. */
export type ScheduledRequest = ScheduledOrder | UnreadableRequest;

/**
 * Reads an ERP schedule (B2MML XML or its JSON rendering) request by request; refuses (throws) only a
 * document that is no schedule at all.
 */
export type ScheduleReader = (body: unknown, contentType: string) => ScheduledRequest[];

type Outcome = {
  element: string;
  outcome: string;
  revision?: number;
  rule?: string;
  reason?: string;
  /** The request's problems by element path, when it was refused as unreadable. */
  problems?: FieldProblem[];
};

const refusal = (error: unknown): { outcome: 'refused'; rule: string; reason: string } => {
  if (!isKnownError(error)) throw error;
  return { outcome: 'refused', rule: (error as { rule?: string }).rule ?? error.type, reason: error.message };
};

/** A domain refusal of a scheduled order, its fields named by the elements they came from. */
const requestRefusal = (error: unknown, fields: Readonly<Record<string, string>>, path: string) => {
  if (!(error instanceof ValidationError) || error.problems.length === 0) return refusal(error);
  const problems = error.problems.map((p) => {
    let pointer = p.path.replace(/^\/spec(?=\/|$)/, '');
    while (!(pointer in fields) && pointer !== '') pointer = pointer.slice(0, pointer.lastIndexOf('/'));
    return { path: fields[pointer] ?? path, message: p.message };
  });
  return {
    outcome: 'refused' as const,
    rule: error.rule ?? 'b2mml-invalid',
    reason: problems.map((p) => `${p.path} ${p.message}`).join('; '),
    problems,
  };
};

/**
 * An ERP ProductionSchedule, by HTTP or NATS, as the ERP adapter read it: each ProductionRequest has its
 * own outcome. A readable one plans its order, or revises it when it changed (refused once started); an
 * unreadable one is refused (`b2mml-invalid`) with its problems while the others go on. The same request
 * again creates nothing: its command id is the digest of what it asks.
 */
export const importSchedule = async (
  deps: { commands: CommandHandler },
  requests: readonly ScheduledRequest[],
  meta: CommandMeta,
  correlationId: string,
): Promise<(Outcome & { orderId?: string })[]> => {
  const results = [];
  for (const request of requests) {
    if ('problems' in request) {
      const { orderId, path, problems } = request;
      results.push({
        ...(orderId ? { orderId } : {}),
        element: path,
        outcome: 'refused',
        rule: 'b2mml-invalid',
        reason: problems.map((p) => `${p.path} ${p.message}`).join('; '),
        problems,
      });
      continue;
    }
    const { orderId, spec, path, fields } = request;
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
        results.push({ orderId, element: path, ...requestRefusal(error, fields, path) });
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
        results.push({ orderId, element: path, ...requestRefusal(error, fields, path) });
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

export type Shipment = WmsShipment;

/**
 * A WMS shipment, by HTTP or NATS, validated whole against schemas/wms/shipment.json by its caller:
 * each line ships (part of) a finished lot to the customer; the same shipment again ships nothing
 * more (the lot remembers its shipments); a line refused (a lot not made here, quarantined, short)
 * is answered with its element path while the other lines ship.
 */
export const shipGoods = async (
  deps: { commands: CommandHandler },
  shipment: Shipment,
  meta: CommandMeta,
  correlationId: string,
): Promise<(Outcome & { lotId: string })[]> => {
  const results = [];
  const seen = new Set<string>();
  for (const [index, line] of shipment.lines.entries()) {
    const element = `/lines/${index}`;
    if (seen.has(line.lotId)) {
      results.push({
        lotId: line.lotId,
        element,
        outcome: 'refused',
        rule: 'line-repeated',
        reason: `lot ${line.lotId} is on an earlier line of shipment ${shipment.shipmentId}: ship it on one line`,
      });
      continue;
    }
    seen.add(line.lotId);
    try {
      const shipped = await deps.commands.handle(
        'lot',
        line.lotId,
        {
          type: 'ShipLot',
          data: { ...line, shipmentId: shipment.shipmentId, customer: shipment.customer },
          meta: shipment.shippedAt ? { ...meta, now: shipment.shippedAt } : meta,
        },
        {
          commandId: `wms:shipment:${shipment.shipmentId}:${line.lotId}`,
          correlationId,
          source: 'wms',
          inputId: shipment.shipmentId,
        },
      );
      results.push({
        lotId: line.lotId,
        element,
        outcome: shipped.duplicate || shipped.events.length === 0 ? 'unchanged' : 'shipped',
        revision: shipped.revision,
      });
    } catch (error) {
      results.push({ lotId: line.lotId, element, ...refusal(error) });
    }
  }
  return results;
};
