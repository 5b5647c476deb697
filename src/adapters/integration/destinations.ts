import { createHmac } from 'node:crypto';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { ensureStream } from '../natsStreams';
import type { Destination, OutboxRow } from './outbox';

export const OUTBOUND_STREAM = 'MES_OUTBOUND';

/** `mes.out.<system>.<kind>`: e.g. mes.out.erp.ProductionPerformance, mes.out.wms.MaterialRequest. */
export const outboundSubject = (message: Pick<OutboxRow, 'system' | 'kind'>): string =>
  `mes.out.${message.system}.${message.kind}`;

/**
 * ERP and WMS messages on JetStream: Nats-Msg-Id is the idempotency key, so the stream's duplicate
 * window drops a message sent again after a crash; Mes-Order-Id lets a consumer filter by order.
 */
export const natsDestination = async (nc: NatsConnection): Promise<Destination> => {
  const jsm = await nc.jetstreamManager();
  await ensureStream(jsm, OUTBOUND_STREAM, ['mes.out.>'], 24 * 3_600_000);
  const js = nc.jetstream();
  return {
    name: 'nats',
    systems: ['erp', 'wms'],
    async send(message) {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', message.key);
      h.set('Idempotency-Key', message.key);
      h.set('Content-Type', message.contentType);
      h.set('Mes-Order-Id', message.orderId);
      await js.publish(outboundSubject(message), message.body, { headers: h, timeout: 10_000 });
    },
  };
};

/** How an HTTP destination proves the message is the backbone's: a bearer token and an HMAC key (secrets from files). */
export type HttpCredentials = { token?: string; hmacKey?: string };

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes, what the receiver recomputes with the shared key. */
export const bodySignature = (body: string | Uint8Array, key: string): string =>
  `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

/**
 * POSTs each message to an ERP or WMS endpoint with an Idempotency-Key header, the bearer token and
 * the body's HMAC signature (`X-Mes-Signature`) when configured; anything but 2xx is a failure.
 */
export const httpDestination = (
  system: OutboxRow['system'],
  url: string,
  credentials: HttpCredentials = {},
  timeoutMs = 10_000,
): Destination => ({
  name: `${system}-http`,
  systems: [system],
  async send(message) {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': message.contentType,
        'idempotency-key': message.key,
        'x-mes-message-kind': message.kind,
        'x-mes-order-id': message.orderId,
        ...(credentials.token ? { authorization: `Bearer ${credentials.token}` } : {}),
        ...(credentials.hmacKey ? { 'x-mes-signature': bodySignature(message.body, credentials.hmacKey) } : {}),
      },
      body: message.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  },
});
