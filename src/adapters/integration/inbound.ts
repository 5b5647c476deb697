import { AckPolicy, DeliverPolicy, nanos, type JsMsg, type NatsConnection } from 'nats';
import type { CommandHandler } from '../../app/commandHandler';
import { readB2mmlSchedule } from '../erp/b2mml';
import { importSchedule, receiveMaterial, shipGoods } from '../../app/integrationImports';
import type { Logger } from '../../lib/logger';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import { isKnownError } from '../../domain/errors';
import { ensureStream, publishDeadLetter } from '../natsStreams';
import { retryUntilDone } from '../../lib/retry';

export const INBOUND_STREAM = 'MES_INBOUND';
export const INBOUND_DEAD_LETTERS = 'MES_INBOUND_DEAD_LETTERS';
export const INBOUND_SUBJECTS = {
  schedule: 'mes.in.erp.ProductionSchedule',
  receipt: 'mes.in.wms.MaterialReceipt',
  shipment: 'mes.in.wms.Shipment',
} as const;

const utf8 = new TextDecoder();

/** What of a message is dead-lettered: the whole message, or each refused ProductionRequest of a schedule. */
type DeadLetter = { reason: string; element?: string };

/**
 * ERP schedules, WMS receipts and WMS shipments over NATS: a durable consumer on `mes.in.>` hands each message to the
 * same import as the HTTP routes and acknowledges it after. A message that does not parse or validate,
 * or whose elements the domain refuses, goes to the dead-letter stream with the reason (what was valid
 * in it is applied, and sending it again changes nothing); a schedule's refused ProductionRequests go
 * there one dead letter each, with their element paths; any other failure is retried in place.
 */
export const startInbound = async (deps: {
  nc: NatsConnection;
  commands: CommandHandler;
  schemas: SchemaRegistry;
  logger: Logger;
}) => {
  const jsm = await deps.nc.jetstreamManager();
  const js = deps.nc.jetstream();
  await ensureStream(jsm, INBOUND_STREAM, ['mes.in.>'], 3_600_000);
  await ensureStream(jsm, INBOUND_DEAD_LETTERS, ['deadletter.mes.in.>'], 3_600_000);
  try {
    await jsm.consumers.info(INBOUND_STREAM, 'backbone-inbound');
  } catch {
    await jsm.consumers.add(INBOUND_STREAM, {
      durable_name: 'backbone-inbound',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 1,
      ack_wait: nanos(120_000),
    });
  }
  const messages = await (await js.consumers.get(INBOUND_STREAM, 'backbone-inbound')).consume({ max_messages: 10 });
  let stopped = false;

  const deadLetter = async (m: JsMsg, { reason, element }: DeadLetter): Promise<void> => {
    await publishDeadLetter(js, m, reason, element);
    deps.logger.warn('inbound message dead-lettered', { subject: m.subject, reason, ...(element ? { element } : {}) });
  };

  const outcome = async (m: JsMsg): Promise<DeadLetter[]> => {
    const meta = { now: new Date().toISOString(), actor: `nats:${m.subject}` };
    // the server's own id of the message (its stream sequence), never the sender's Nats-Msg-Id: no sender
    // can write into another message's correlation trace
    const correlationId = `${m.subject}:${m.info.streamSequence}`;
    const text = utf8.decode(m.data);
    try {
      let results: { element: string; outcome: string; reason?: string; problems?: unknown[] }[];
      if (m.subject === INBOUND_SUBJECTS.schedule) {
        const type =
          m.headers?.get('Content-Type') || (text.trimStart().startsWith('<') ? 'application/xml' : 'application/json');
        const body: unknown = /xml/.test(type) ? text : JSON.parse(text);
        results = await importSchedule(deps, readB2mmlSchedule(deps.schemas)(body, type), meta, correlationId);
      } else if (m.subject === INBOUND_SUBJECTS.receipt) {
        const receipt = deps.schemas.parse('wms/materialReceipt', JSON.parse(text), 'material receipt');
        results = await receiveMaterial(deps, receipt, meta, correlationId);
      } else if (m.subject === INBOUND_SUBJECTS.shipment) {
        const shipment = deps.schemas.parse('wms/shipment', JSON.parse(text), 'shipment');
        results = await shipGoods(deps, shipment, meta, correlationId);
      } else return [{ reason: `no import reads ${m.subject}: use ${Object.values(INBOUND_SUBJECTS).join(' or ')}` }];
      const refused = results.filter((r) => r.outcome === 'refused');
      // a schedule's refused requests are dead letters of their own, each with its problems' element paths
      if (m.subject === INBOUND_SUBJECTS.schedule)
        return refused.map((r) => ({
          reason: r.problems ? (r.reason ?? '') : `${r.element}: ${r.reason ?? ''}`,
          element: r.element,
        }));
      return refused.length === 0 ? [] : [{ reason: refused.map((r) => `${r.element}: ${r.reason}`).join('; ') }];
    } catch (error) {
      if (error instanceof SyntaxError) return [{ reason: `the payload is not JSON: ${error.message}` }];
      if (!isKnownError(error)) throw error;
      const problems = (error as { problems?: { path: string; message: string }[] }).problems ?? [];
      return [{ reason: [error.message, ...problems.map((p) => `${p.path} ${p.message}`)].join('; ') }];
    }
  };

  const loop = (async () => {
    for await (const m of messages) {
      const handled = await retryUntilDone(
        async () => {
          for (const letter of await outcome(m)) await deadLetter(m, letter);
          m.ack();
        },
        {
          stopped: () => stopped,
          onError: (error) => deps.logger.error('inbound message not handled; retrying', { subject: m.subject, error }),
        },
      );
      if (!handled) break;
    }
  })().catch((error: unknown) => deps.logger.error('inbound consumer stopped', { error }));

  return {
    async stop(): Promise<void> {
      stopped = true;
      messages.stop();
      await loop;
    },
  };
};
