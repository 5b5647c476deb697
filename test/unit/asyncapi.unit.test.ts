import { expect } from 'chai';
import { buildAsyncApi } from '../../src/api/asyncapi';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { deciders } from '../../src/domain/aggregates';
import { SECURITY_CATEGORIES } from '../../src/domain/security';

describe('AsyncAPI document', () => {
  const doc = buildAsyncApi(loadSchemaRegistry());
  const addresses = Object.values(doc.channels).map((c) => (c as { address: string }).address);

  const published = Object.values(deciders)
    .filter((d) => !(SECURITY_CATEGORIES as readonly string[]).includes(d.category))
    .flatMap((d) => [...d.eventTypes]);

  it('is AsyncAPI 3.0 with a channel and message for every published event type, its data schema from schemas/events', () => {
    expect(doc.asyncapi).to.equal('3.0.0');
    for (const type of published) {
      expect(
        addresses.some((a) => a.endsWith(`.${type}`) && a.startsWith('mes.events.')),
        type,
      ).to.equal(true);
      const message = doc.components.messages[`event_${type}`] as {
        payload: { properties: { data: { $ref: string } } };
      };
      expect(message.payload.properties.data.$ref).to.match(new RegExp(`events_${type}_v\\d+$`));
    }
    expect(addresses).to.include('mes.events.order.OrderReleased');
    expect(addresses.filter((a) => /^mes\.events\.(person|device|apikey|security)\./.test(a))).to.deep.equal([]);
  });

  it('describes the device subjects in, with their payload schemas, and the dead letters', () => {
    expect(addresses).to.include.members([
      'devices.{site}.{machineId}.state',
      'devices.{site}.{machineId}.energy',
      'devices.{site}.{machineId}.count',
      'devices.{site}.{machineId}.telemetry',
      'deadletter.devices.{site}.{machineId}.{kind}',
    ]);
    const schemaNames = Object.keys(doc.components.schemas);
    expect(schemaNames).to.include.members(['devices_state', 'devices_energy']);
  });

  it('describes the WMS shipments in, with their payload schema, and the lot shipped event out', () => {
    expect(addresses).to.include.members(['mes.in.wms.Shipment', 'mes.events.lot.LotShipped']);
    const message = (doc.components.messages as Record<string, { payload?: { $ref: string } }>)['wms_Shipment'];
    expect(message?.payload?.$ref).to.equal('#/components/schemas/wms_shipment');
    expect(Object.keys(doc.components.schemas)).to.include('wms_shipment');
  });
});
