import { XMLBuilder } from 'fast-xml-parser';
import { isOfType, type RecordedDomainEvent } from '../../app/eventStore';
import type { DomainEventType } from '../../domain/aggregates';
import type { OrderSpec } from '../../domain/order';
import type { AlertKind } from '../../domain/alert';

/**
 * A message for the ERP or the WMS, or an alert for the group robots, decided from the log; its key is
 * its idempotency key. `orderId`: the order, or for an alert the alert's id.
 */
export type OutboundMessage = {
  key: string;
  system: 'erp' | 'wms' | 'alert';
  kind: 'ProductionPerformance' | 'MaterialRequest' | 'FinishedGoodsReceipt' | AlertKind;
  orderId: string;
  contentType: 'application/xml' | 'application/json';
  body: string;
};

type Material = { material: string; lotId: string; quantity: number; unit: string };
type Segment = {
  operationId: string;
  code: string;
  workCenter: string;
  machineId?: string;
  startedAt: string;
  completedAt: string;
  good: number;
  scrap: number;
  rework: number;
  consumed: Material[];
};

/** What the translator remembers of an order between events (kept beside the outbox's checkpoint). */
export type OrderMemory = {
  orderId: string;
  spec: OrderSpec;
  segments: Segment[];
  consumed: Record<string, Material[]>;
  produced: Material[];
};

/** The events the translator reads. */
export const OUTBOX_EVENT_TYPES = [
  'OrderPlanned',
  'OrderRevised',
  'OrderReleased',
  'OperationCompleted',
  'OrderCompleted',
  'OrderClosed',
  'OrderCancelled',
  'LotIssued',
  'LotProduced',
  'NonconformingScrapped',
] as const satisfies readonly DomainEventType[];

/** The namespace of B2MML V0600, whose element order (the schema's sequences) the documents follow. */
export const B2MML_V0600 = 'http://www.mesa.org/xml/B2MML-V0600';
const builder = new XMLBuilder({ format: true, ignoreAttributes: false, suppressEmptyNode: true });

const quantity = (value: number, unit: string, key?: string) => ({
  QuantityString: String(value),
  DataType: 'double',
  UnitOfMeasure: unit,
  ...(key ? { Key: key } : {}),
});
/** The product's name for a B2MML Description: Chinese first, as the plant names it. */
const productDescription = (spec: OrderSpec) => {
  const name = spec.productNames?.['zh-CN'] ?? spec.productNames?.en;
  return name ? { Description: name } : {};
};
// MaterialActualType: MaterialDefinitionID, MaterialLotID, Description, MaterialUse, Quantity (in this order)
const materialActual = (m: Material, use: 'Consumed' | 'Produced') => ({
  MaterialDefinitionID: m.material,
  MaterialLotID: m.lotId,
  MaterialUse: use,
  Quantity: quantity(m.quantity, m.unit),
});
const productActual = (spec: OrderSpec, good: number, scrap: number) => ({
  MaterialDefinitionID: spec.product,
  ...productDescription(spec),
  MaterialUse: 'Produced',
  Quantity: [quantity(good, spec.unit, 'good'), quantity(scrap, spec.unit, 'scrap')],
});

/**
 * ISA-95 B2MML V0600 ProductionPerformance: one ProductionResponse for the order with a SegmentResponse
 * per completed operation (actual times, equipment, material consumed, good and scrap quantities); when
 * the order is complete, a last SegmentResponse for the whole order (ID = the order) with the lots it
 * produced and its good and scrap totals, since V0600 puts MaterialActual only in a SegmentResponse.
 * Elements follow the V0600 sequences: ProductionPerformance (ID, Description, PublishedDate,
 * ProductionResponse), ProductionResponse (ID, ProductionRequestID, ProductProductionRuleID, StartTime,
 * EndTime, SegmentResponse, ResponseState), SegmentResponse (ID, ProcessSegmentID, Description,
 * ActualStartTime, ActualEndTime, EquipmentActual, MaterialActual, SegmentState).
 */
export const productionPerformanceXml = (
  memory: OrderMemory,
  segments: Segment[],
  final: { completedAt: string; good: number; scrap: number } | undefined,
  id: string,
  publishedAt: string,
): string => {
  const { spec } = memory;
  const starts = segments.map((s) => s.startedAt).sort();
  const ends = segments.map((s) => s.completedAt).sort();
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    ProductionPerformance: {
      '@_xmlns': B2MML_V0600,
      ID: id,
      Description: final ? `order ${memory.orderId} completed` : `order ${memory.orderId}: operation completed`,
      PublishedDate: publishedAt,
      ProductionResponse: {
        ID: memory.orderId,
        ProductionRequestID: spec.erpRequestId ?? memory.orderId,
        ProductProductionRuleID: spec.product,
        StartTime: starts[0],
        EndTime: final?.completedAt ?? ends[ends.length - 1],
        SegmentResponse: [
          ...segments.map((s) => ({
            ID: `${memory.orderId}-${s.operationId}`,
            ProcessSegmentID: s.code,
            ActualStartTime: s.startedAt,
            ActualEndTime: s.completedAt,
            EquipmentActual: s.machineId ? { EquipmentID: s.machineId } : { EquipmentID: s.workCenter },
            MaterialActual: [
              ...s.consumed.map((m) => materialActual(m, 'Consumed')),
              productActual(spec, s.good, s.scrap),
            ],
            SegmentState: 'Completed',
          })),
          ...(final
            ? [
                {
                  ID: memory.orderId,
                  Description: `order ${memory.orderId}`,
                  ActualStartTime: starts[0],
                  ActualEndTime: final.completedAt,
                  MaterialActual: [
                    ...memory.produced.map((m) => materialActual(m, 'Produced')),
                    productActual(spec, final.good, final.scrap),
                  ],
                  SegmentState: 'Completed',
                },
              ]
            : []),
        ],
        ResponseState: final ? 'Completed' : 'Running',
      },
    },
  };
  return builder.build(document);
};

/**
 * Decides the outbound messages an event causes, from what is remembered of its order (`recall`).
 * Pure: the same log gives the same messages with the same keys, so a replay re-sends what receivers
 * can drop.
 */
export const translate = (
  event: RecordedDomainEvent,
  recall: (orderId: string) => OrderMemory | undefined,
): { orderId?: string; memory?: OrderMemory | null; messages: OutboundMessage[] } => {
  if (!isOfType(OUTBOX_EVENT_TYPES, event)) return { messages: [] };
  const { orderId } = event.data;
  const memory = recall(orderId);
  const key = (kind: string) => `${event.id}:${kind}`;
  const toErp = (xml: string): OutboundMessage => ({
    key: key('ProductionPerformance'),
    system: 'erp',
    kind: 'ProductionPerformance',
    orderId,
    contentType: 'application/xml',
    body: xml,
  });
  const toWms = (kind: 'MaterialRequest' | 'FinishedGoodsReceipt', body: unknown): OutboundMessage => ({
    key: key(kind),
    system: 'wms',
    kind,
    orderId,
    contentType: 'application/json',
    body: JSON.stringify(body),
  });
  /** The lot of a LotIssued or LotProduced. */
  const lotOf = ({ material, lotId, quantity, unit }: Material): Material => ({ material, lotId, quantity, unit });
  switch (event.type) {
    case 'OrderPlanned':
    case 'OrderRevised': {
      const { spec } = event.data;
      const base = memory ?? { orderId, spec, segments: [], consumed: {}, produced: [] };
      return { orderId, memory: { ...base, spec }, messages: [] };
    }
    case 'LotIssued': {
      if (!memory) return { messages: [] };
      const { operationId } = event.data;
      const consumed = {
        ...memory.consumed,
        [operationId]: [...(memory.consumed[operationId] ?? []), lotOf(event.data)],
      };
      return { orderId, memory: { ...memory, consumed }, messages: [] };
    }
    case 'LotProduced': {
      if (!memory) return { messages: [] };
      return { orderId, memory: { ...memory, produced: [...memory.produced, lotOf(event.data)] }, messages: [] };
    }
    case 'OrderReleased': {
      if (!memory) return { messages: [] };
      // an order planned by product took its routing from master data at release
      const copied = event.data.routing;
      const spec = copied ? { ...memory.spec, routing: copied } : memory.spec;
      const lines = (spec.routing?.operations ?? []).flatMap((op) =>
        op.materials.map((m) => ({
          operationId: op.operationId,
          workCenter: op.workCenter,
          material: m.material,
          quantity: Math.round(m.quantityPerUnit * spec.quantity * (1 + (m.scrapAllowance ?? 0)) * 1e6) / 1e6,
          unit: m.unit,
        })),
      );
      const body = {
        requestId: `MR-${orderId}`,
        orderId,
        product: spec.product,
        ...(spec.productNames ? { productNames: spec.productNames } : {}),
        quantity: spec.quantity,
        unit: spec.unit,
        neededBy: spec.earliestStart ?? event.data.releasedAt,
        requestedAt: event.data.releasedAt,
        lines,
      };
      return {
        ...(copied ? { orderId, memory: { ...memory, spec } } : {}),
        messages: [toWms('MaterialRequest', body)],
      };
    }
    case 'OperationCompleted': {
      if (!memory) return { messages: [] };
      const { operationId, workCenter, machineId, startedAt, completedAt, good, scrap, rework } = event.data;
      const code = memory.spec.routing?.operations.find((op) => op.operationId === operationId)?.code ?? operationId;
      const segment: Segment = {
        operationId,
        code,
        workCenter,
        ...(machineId ? { machineId } : {}),
        startedAt,
        completedAt,
        good,
        scrap,
        rework,
        consumed: memory.consumed[operationId] ?? [],
      };
      const next = { ...memory, segments: [...memory.segments, segment] };
      const xml = productionPerformanceXml(
        next,
        [segment],
        undefined,
        `PP-${orderId}-${operationId}`,
        segment.completedAt,
      );
      return {
        orderId,
        memory: next,
        messages: [toErp(xml)],
      };
    }
    case 'OrderCompleted': {
      if (!memory) return { messages: [] };
      const { completedAt, good, scrap } = event.data;
      const final = { completedAt, good, scrap };
      const xml = productionPerformanceXml(memory, memory.segments, final, `PP-${orderId}`, final.completedAt);
      const receipt = {
        receiptId: `FG-${orderId}`,
        orderId,
        product: memory.spec.product,
        quantity: final.good,
        unit: memory.spec.unit,
        lots: memory.produced.filter((lot) => lot.material === memory.spec.product).map((lot) => lot.lotId),
        completedAt: final.completedAt,
      };
      // the order's memory is unchanged: nothing to save
      return { messages: [toErp(xml), toWms('FinishedGoodsReceipt', receipt)] };
    }
    case 'NonconformingScrapped': {
      // a scrap disposition: the operation's good units the final ProductionPerformance reports shrink
      if (!memory) return { messages: [] };
      const { operationId, quantity: units } = event.data;
      const segments = memory.segments.map((s) =>
        s.operationId === operationId ? { ...s, good: Math.max(0, s.good - units), scrap: s.scrap + units } : s,
      );
      return { orderId, memory: { ...memory, segments }, messages: [] };
    }
    case 'OrderClosed':
    case 'OrderCancelled':
      // nothing more will be reported for the order: forget it
      return { orderId, memory: null, messages: [] };
    default:
      return { messages: [] };
  }
};
