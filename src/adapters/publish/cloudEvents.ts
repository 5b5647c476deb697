import { headers as natsHeaders, type NatsConnection } from 'nats';
import { ensureStream } from '../natsStreams';
import { retryUntilDone } from '../../lib/retry';
import type { CheckpointStore } from '../../app/checkpoints';
import type { EventStore, RecordedEvent } from '../../app/eventStore';
import type { Logger } from '../../lib/logger';
import { isSecurityStream } from '../../domain/security';

export const EVENTS_STREAM = 'MES_EVENTS';
const CHECKPOINT = 'cloudevents-publisher';

export const subjectOf = (event: RecordedEvent): string =>
  `mes.events.${event.streamId.slice(0, event.streamId.indexOf('-'))}.${event.type}`;

/**
 * A recorded event as a CloudEvents 1.0 structured JSON message; `data` keeps the event's type (a
 * RecordedDomainEvent gives its schema's type, the one `dataschema` names).
 */
export const toCloudEvent = <E extends RecordedEvent>(event: E) => {
  // annotated, so the data keeps E's type rather than the constraint's
  const data: E['data'] = event.data;
  return {
    specversion: '1.0',
    id: event.id,
    source: `urn:mes-backbone:${event.metadata.source}`,
    type: `mes.${event.type}`,
    subject: event.streamId,
    time: event.metadata.occurredAt,
    datacontenttype: 'application/json',
    dataschema: `https://mes-backbone.dev/schemas/events/${event.type}.v${event.metadata.schemaVersion}.json`,
    data,
    // extensions: lower-case alphanumerics, as the spec asks
    position: event.position,
    revision: event.revision,
    correlationid: event.metadata.correlationId,
    causationid: event.metadata.causationId,
    actor: event.metadata.actor,
    recordedat: event.recordedAt,
  };
};

/**
 * Publishes every event once to JetStream on `mes.events.<category>.<EventType>` as a CloudEvent, with
 * Nats-Msg-Id = event id so the stream's duplicate window drops a republish. The checkpoint is saved
 * after each batch is acknowledged by JetStream: a restart resumes with no gap, and what it sends
 * again is dropped as a duplicate.
 */
export const startCloudEventsPublisher = async (deps: {
  nc: NatsConnection;
  store: EventStore;
  checkpoints: CheckpointStore;
  logger: Logger;
}) => {
  const jsm = await deps.nc.jetstreamManager();
  await ensureStream(jsm, EVENTS_STREAM, ['mes.events.>'], 10 * 60_000);
  const js = deps.nc.jetstream();
  const subscription = deps.store.subscribe({ after: await deps.checkpoints.load(CHECKPOINT), batchSize: 500 });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const batch = await subscription.nextBatch(500);
      if (batch.length === 0) break;
      const published = await retryUntilDone(
        async () => {
          await Promise.all(
            // the security trail (people, devices, keys, logins) stays inside: personal data, not integration facts
            batch
              .filter((event) => !isSecurityStream(event.streamId))
              .map((event) => {
                const h = natsHeaders();
                h.set('Nats-Msg-Id', event.id);
                h.set('Content-Type', 'application/cloudevents+json');
                return js.publish(subjectOf(event), JSON.stringify(toCloudEvent(event)), { headers: h });
              }),
          );
        },
        {
          stopped: () => stopped,
          firstMs: 200,
          onError: (error) => deps.logger.error('publishing events failed; retrying', { error }),
        },
      );
      if (!published) return;
      const reached = subscription.checkpoint;
      // a checkpoint not saved means a replay after a restart, which the duplicate window drops
      if (reached)
        await deps.checkpoints
          .save(CHECKPOINT, reached)
          .catch((error: unknown) => deps.logger.error('publisher checkpoint not saved', { error }));
    }
  })().catch((error: unknown) => deps.logger.error('event publication stopped', { error }));
  return {
    async stop(): Promise<void> {
      stopped = true;
      await subscription.close();
      await loop;
    },
  };
};
