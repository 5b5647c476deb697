import type { SchemaRegistry } from '../app/schemaRegistry';
import { deciders } from '../domain/aggregates';
import { SECURITY_CATEGORIES } from '../domain/security';

const ref = (key: string) => ({ $ref: `#/components/schemas/${key.replace(/[^A-Za-z0-9]+/g, '_')}` });

/**
 * AsyncAPI 3.0 for the NATS side, generated from schemas/: device messages in (and their dead letters),
 * and every domain event out as a CloudEvent on mes.events.<category>.<EventType>.
 */
export const buildAsyncApi = (schemas: SchemaRegistry) => {
  const components: Record<string, unknown> = {};
  for (const key of schemas.keys()) components[key.replace(/[^A-Za-z0-9]+/g, '_')] = schemas.schema(key);
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const kind of ['state', 'energy', 'count', 'telemetry']) {
    const name = `device_${kind}`;
    messages[name] = {
      name,
      contentType: 'application/json',
      payload: ref(`devices/${kind}`),
      summary: (schemas.schema(`devices/${kind}`) as { description?: string })?.description,
    };
    channels[name] = {
      address: `devices.{site}.{machineId}.${kind}`,
      description: `Device ${kind} messages; MQTT devices publish to devices/{site}/{machineId}/${kind}.`,
      parameters: { site: { description: 'The plant or site' }, machineId: { description: 'A registered machine' } },
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`receive_${name}`] = { action: 'receive', channel: { $ref: `#/channels/${name}` } };
  }
  channels['dead_letters'] = {
    address: 'deadletter.devices.{site}.{machineId}.{kind}',
    description: 'Device messages that could not be ingested: the raw payload, the reason in the Mes-Reason header.',
    parameters: { site: {}, machineId: {}, kind: {} },
  };
  operations['send_dead_letters'] = { action: 'send', channel: { $ref: '#/channels/dead_letters' } };
  // the ERP and WMS bridges: imports in, the outbox's messages out
  const bridge = (
    name: string,
    address: string,
    action: 'send' | 'receive',
    contentType: string,
    summary: string,
    payload?: unknown,
  ) => {
    messages[name] = {
      name,
      contentType,
      summary,
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': { type: 'string' },
          ...(action === 'send' ? { 'Idempotency-Key': { type: 'string' }, 'Mes-Order-Id': { type: 'string' } } : {}),
        },
      },
      ...(payload ? { payload } : {}),
    };
    channels[name] = { address, messages: { [name]: { $ref: `#/components/messages/${name}` } } };
    operations[`${action}_${name}`] = { action, channel: { $ref: `#/channels/${name}` } };
  };
  bridge(
    'erp_ProductionSchedule',
    'mes.in.erp.ProductionSchedule',
    'receive',
    'application/xml',
    'ISA-95 B2MML V0600 ProductionSchedule (or its JSON rendering with Content-Type application/json): the good ProductionRequests are planned, each refused one is a dead letter of its own on deadletter.mes.in.erp.ProductionSchedule (Mes-Element: its element path, Mes-Reason: its problems)',
  );
  bridge(
    'wms_MaterialReceipt',
    'mes.in.wms.MaterialReceipt',
    'receive',
    'application/json',
    'Material the warehouse received: each line becomes a lot',
    ref('wms/materialReceipt'),
  );
  bridge(
    'wms_Shipment',
    'mes.in.wms.Shipment',
    'receive',
    'application/json',
    'Finished goods the warehouse shipped to a customer: each line ships (part of) a lot made here; a refused line is dead-lettered with its element path (/lines/0)',
    ref('wms/shipment'),
  );
  bridge(
    'erp_ProductionPerformance',
    'mes.out.erp.ProductionPerformance',
    'send',
    'application/xml',
    'ISA-95 B2MML V0600 ProductionPerformance when an operation or an order completes',
  );
  bridge(
    'wms_MaterialRequest',
    'mes.out.wms.MaterialRequest',
    'send',
    'application/json',
    'The bill of materials of a released order',
  );
  bridge(
    'wms_FinishedGoodsReceipt',
    'mes.out.wms.FinishedGoodsReceipt',
    'send',
    'application/json',
    'The good quantity and lots of a completed order',
  );
  // the security trail's categories are not published (see the CloudEvents publisher)
  const published = Object.values(deciders).filter(
    (d) => !(SECURITY_CATEGORIES as readonly string[]).includes(d.category),
  );
  for (const decider of published) {
    for (const type of decider.eventTypes) {
      const versions = schemas.eventVersions(type);
      const latest = versions[versions.length - 1];
      const name = `event_${type}`;
      messages[name] = {
        name: type,
        contentType: 'application/cloudevents+json',
        summary: (schemas.schema(`events/${type}.v${latest}`) as { description?: string })?.description,
        headers: {
          type: 'object',
          properties: { 'Nats-Msg-Id': { type: 'string', description: 'The event id (JetStream deduplication)' } },
        },
        payload: {
          type: 'object',
          required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data', 'position'],
          properties: {
            specversion: { const: '1.0' },
            id: { type: 'string' },
            source: { type: 'string' },
            type: { const: `mes.${type}` },
            subject: { type: 'string', description: `The stream, ${decider.category}-<id>` },
            time: { type: 'string', format: 'date-time' },
            datacontenttype: { const: 'application/json' },
            dataschema: { type: 'string' },
            data: ref(`events/${type}.v${latest}`),
            position: { type: 'string' },
            revision: { type: 'integer' },
            correlationid: { type: 'string' },
            causationid: { type: 'string' },
            actor: { type: 'string' },
            recordedat: { type: 'string', format: 'date-time' },
          },
        },
      };
      channels[name] = {
        address: `mes.events.${decider.category}.${type}`,
        messages: { [name]: { $ref: `#/components/messages/${name}` } },
      };
      operations[`send_${name}`] = { action: 'send', channel: { $ref: `#/channels/${name}` } };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Manufacturing execution backbone: NATS',
      version: '0.1.0',
      description:
        'Device messages in over NATS JetStream (or MQTT through NATS); every domain event out as a CloudEvent; ERP and WMS messages in and out.',
    },
    defaultContentType: 'application/json',
    servers: {
      nats: {
        host: 'localhost:4222',
        protocol: 'nats',
        description:
          'JetStream streams DEVICES, DEVICE_DEAD_LETTERS, MES_EVENTS, MES_INBOUND, MES_INBOUND_DEAD_LETTERS, MES_OUTBOUND',
      },
    },
    channels,
    operations,
    components: { schemas: components, messages },
  };
};
