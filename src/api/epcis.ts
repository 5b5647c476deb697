import {
  asDomainEvent,
  isOfType,
  readPages,
  type EventStore,
  type RecordedDomainEvent,
  type RecordedEvent,
} from '../app/eventStore';
import { NotFoundError } from '../domain/errors';

const URN = 'urn:mes-backbone';
const UNITS: Record<string, string> = { kg: 'KGM', g: 'GRM', t: 'TNE', pcs: 'H87', pc: 'H87', m: 'MTR', l: 'LTR' };

const offsetOf = (iso: string): string => {
  const match = /([+-]\d{2}:\d{2})$/.exec(iso);
  return match ? (match[1] as string) : '+00:00';
};

const quantity = (lotId: string, amount: number, unit: string) => ({
  epcClass: `${URN}:lot:${lotId}`,
  quantity: amount,
  ...(UNITS[unit.toLowerCase()] ? { uom: UNITS[unit.toLowerCase()] } : {}),
});

const base = (event: RecordedEvent) => ({
  eventID: `urn:uuid:${event.id}`,
  eventTime: event.metadata.occurredAt,
  eventTimeZoneOffset: offsetOf(event.metadata.occurredAt),
  recordTime: event.recordedAt,
});

const TRACE_TYPES = [
  'LotIssued',
  'LotProduced',
  'LotShipped',
  'InspectionPassed',
  'InspectionFailed',
  'OrderPlanned',
] as const;
type TraceEvent = RecordedDomainEvent<(typeof TRACE_TYPES)[number]>;

/** Every event of the trace types whose data names the order, in log order. */
const eventsOfOrder = async (store: EventStore, orderId: string): Promise<TraceEvent[]> => {
  const found: TraceEvent[] = [];
  for await (const page of readPages(store, { filter: { eventTypes: [...TRACE_TYPES] } })) {
    for (const recorded of page.events) {
      const event = asDomainEvent(recorded);
      if (event && isOfType(TRACE_TYPES, event) && event.data.orderId === orderId) found.push(event);
    }
  }
  return found;
};

/** One entry per lot, quantities summed: a lot issued twice to the order is one input of the transformation. */
const perLot = (events: readonly { data: { lotId: string; quantity: number; unit: string } }[]) => {
  const lots = new Map<string, { lotId: string; quantity: number; unit: string }>();
  for (const { data } of events) {
    const known = lots.get(data.lotId);
    lots.set(
      data.lotId,
      known
        ? { ...known, quantity: known.quantity + data.quantity }
        : { lotId: data.lotId, quantity: data.quantity, unit: data.unit },
    );
  }
  return [...lots.values()];
};

/**
 * An order's traceability as a GS1 EPCIS 2.0 JSON-LD document: a TransformationEvent from the lots
 * issued to it to the lots it produced (one entry per lot), and ObjectEvents for the inspections of its
 * lots, for the receipt of the lots that went into it and for the shipping of its lots to customers
 * (bizStep shipping, the customer as the destination, the shipment as a despatch advice). Identifiers are URIs of this backbone (urn:mes-backbone:...).
 */
export const orderEpcis = async (store: EventStore, orderId: string, now: string) => {
  const events = await eventsOfOrder(store, orderId);
  if (!events.some((e) => e.type === 'OrderPlanned')) throw new NotFoundError(`order ${orderId} does not exist`);
  const issued = events.filter((e) => e.type === 'LotIssued');
  const produced = events.filter((e) => e.type === 'LotProduced');
  const eventList: Array<Record<string, unknown>> = [];
  for (const lotId of [...new Set(issued.map((e) => e.data.lotId))]) {
    const [first] = await store.readStream(`lot-${lotId}`, { maxCount: 1 });
    const receipt = first && asDomainEvent(first);
    if (receipt?.type !== 'LotReceived') continue;
    eventList.push({
      type: 'ObjectEvent',
      ...base(receipt),
      action: 'ADD',
      bizStep: 'receiving',
      disposition: 'in_progress',
      quantityList: [quantity(lotId, receipt.data.quantity, receipt.data.unit)],
      readPoint: { id: `${URN}:site:receiving` },
    });
  }
  for (const inspection of events.filter((e) => e.type === 'InspectionPassed' || e.type === 'InspectionFailed')) {
    const { lotId, inspectionId } = inspection.data;
    eventList.push({
      type: 'ObjectEvent',
      ...base(inspection),
      action: 'OBSERVE',
      bizStep: 'inspecting',
      disposition: inspection.type === 'InspectionPassed' ? 'conformant' : 'non_conformant',
      ...(lotId ? { quantityList: [{ epcClass: `${URN}:lot:${lotId}` }] } : { epcList: [`${URN}:order:${orderId}`] }),
      readPoint: { id: `${URN}:inspection:${inspectionId}` },
    });
  }
  if (issued.length > 0 || produced.length > 0) {
    const last = [...issued, ...produced].sort((a, b) => (a.position < b.position ? -1 : 1)).pop() as RecordedEvent;
    eventList.push({
      type: 'TransformationEvent',
      ...base(last),
      eventID: `${URN}:order:${orderId}:transformation`,
      transformationID: `${URN}:order:${orderId}`,
      bizStep: 'creating_class_instance',
      inputQuantityList: perLot(issued).map((e) => quantity(e.lotId, e.quantity, e.unit)),
      outputQuantityList: perLot(produced).map((e) => quantity(e.lotId, e.quantity, e.unit)),
    });
  }
  for (const shipped of events.filter((e) => e.type === 'LotShipped')) {
    const { lotId, shipmentId, customer } = shipped.data;
    eventList.push({
      type: 'ObjectEvent',
      ...base(shipped),
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      quantityList: [quantity(lotId, shipped.data.quantity, shipped.data.unit)],
      readPoint: { id: `${URN}:site:shipping` },
      bizTransactionList: [{ type: 'desadv', bizTransaction: `${URN}:shipment:${shipmentId}` }],
      sourceList: [{ type: 'owning_party', source: `${URN}:site` }],
      destinationList: [{ type: 'owning_party', destination: `${URN}:customer:${encodeURIComponent(customer)}` }],
    });
  }
  eventList.sort((a, b) => String(a['eventTime']).localeCompare(String(b['eventTime'])));
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: now,
    epcisBody: { eventList },
  };
};
