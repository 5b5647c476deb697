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

const TRACE_TYPES = ['LotIssued', 'LotProduced', 'InspectionPassed', 'InspectionFailed', 'OrderPlanned'] as const;
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

/**
 * An order's traceability as a GS1 EPCIS 2.0 JSON-LD document: a TransformationEvent from the lots
 * issued to it to the lots it produced, and ObjectEvents for the inspections of its lots and for the
 * receipt of the lots that went into it. Identifiers are URIs of this backbone (urn:mes-backbone:...).
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
      inputQuantityList: issued.map((e) => quantity(e.data.lotId, e.data.quantity, e.data.unit)),
      outputQuantityList: produced.map((e) => quantity(e.data.lotId, e.data.quantity, e.data.unit)),
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
