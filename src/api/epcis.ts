import { readPages, type EventStore, type RecordedEvent } from '../app/eventStore';
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

/** Every event of these types whose data names the order, in log order. */
const eventsOfOrder = async (store: EventStore, orderId: string, eventTypes: string[]): Promise<RecordedEvent[]> => {
  const found: RecordedEvent[] = [];
  for await (const page of readPages(store, { filter: { eventTypes } }))
    found.push(...page.events.filter((e) => e.data['orderId'] === orderId));
  return found;
};

/**
 * An order's traceability as a GS1 EPCIS 2.0 JSON-LD document: a TransformationEvent from the lots
 * issued to it to the lots it produced, and ObjectEvents for the inspections of its lots and for the
 * receipt of the lots that went into it. Identifiers are URIs of this backbone (urn:mes-backbone:...).
 */
export const orderEpcis = async (store: EventStore, orderId: string, now: string) => {
  const events = await eventsOfOrder(store, orderId, [
    'LotIssued',
    'LotProduced',
    'InspectionPassed',
    'InspectionFailed',
    'OrderPlanned',
  ]);
  if (!events.some((e) => e.type === 'OrderPlanned')) throw new NotFoundError(`order ${orderId} does not exist`);
  const issued = events.filter((e) => e.type === 'LotIssued');
  const produced = events.filter((e) => e.type === 'LotProduced');
  const eventList: Array<Record<string, unknown>> = [];
  for (const lotId of [...new Set(issued.map((e) => e.data['lotId'] as string))]) {
    const receipt = (await store.readStream(`lot-${lotId}`, { maxCount: 1 })).find((e) => e.type === 'LotReceived');
    if (!receipt) continue;
    eventList.push({
      type: 'ObjectEvent',
      ...base(receipt),
      action: 'ADD',
      bizStep: 'receiving',
      disposition: 'in_progress',
      quantityList: [quantity(lotId, receipt.data['quantity'] as number, receipt.data['unit'] as string)],
      readPoint: { id: `${URN}:site:receiving` },
    });
  }
  for (const inspection of events.filter((e) => e.type === 'InspectionPassed' || e.type === 'InspectionFailed')) {
    const lotId = inspection.data['lotId'] as string | undefined;
    eventList.push({
      type: 'ObjectEvent',
      ...base(inspection),
      action: 'OBSERVE',
      bizStep: 'inspecting',
      disposition: inspection.type === 'InspectionPassed' ? 'conformant' : 'non_conformant',
      ...(lotId ? { quantityList: [{ epcClass: `${URN}:lot:${lotId}` }] } : { epcList: [`${URN}:order:${orderId}`] }),
      readPoint: { id: `${URN}:inspection:${inspection.data['inspectionId'] as string}` },
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
      inputQuantityList: issued.map((e) =>
        quantity(e.data['lotId'] as string, e.data['quantity'] as number, e.data['unit'] as string),
      ),
      outputQuantityList: produced.map((e) =>
        quantity(e.data['lotId'] as string, e.data['quantity'] as number, e.data['unit'] as string),
      ),
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
