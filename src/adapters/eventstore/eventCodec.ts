import { canonicalJson } from '../../lib/canonicalJson';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../../app/eventStore';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import { ValidationError } from '../../domain/errors';
import type { Upcaster } from '../../domain/upcasters';
import { hashCanonical } from './hashChain';

export type { Upcaster };

/** An event that passed validation, with its schema version settled, not yet in a chain. */
export type PreparedEvent = {
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Omit<EventMetadata, 'prevHash' | 'hash'>;
};

export type SealedEvent = PreparedEvent & {
  metadata: EventMetadata;
  /** JSON text of data and of metadata (hash included), ready to store. */
  dataJson: string;
  metadataJson: string;
};

/** Array.isArray without narrowing a typed list to any[]: callers from JavaScript may pass anything. */
const isList = (value: unknown): boolean => Array.isArray(value);

const ENVELOPE = 'common/eventEnvelope';
const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

export type EventCodec = ReturnType<typeof createEventCodec>;

export const createEventCodec = (schemas: SchemaRegistry, upcasters: readonly Upcaster[] = []) => {
  /** Upcasters by type, then by the version they read: most types have none, found with one lookup. */
  const byType = new Map<string, Map<number, Upcaster>>();
  for (const upcaster of upcasters) {
    const steps = byType.get(upcaster.type) ?? new Map<number, Upcaster>();
    byType.set(upcaster.type, steps.set(upcaster.fromVersion, upcaster));
  }

  /** Validates a whole append before anything is written; throws ValidationError naming the path. */
  const prepare = (streamId: string, events: readonly EventToAppend[]): PreparedEvent[] => {
    if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) {
      throw new ValidationError(`stream id ${JSON.stringify(streamId)} is invalid`, [
        { path: '/streamId', message: `must match ${STREAM_ID.source}` },
      ]);
    }
    if (!isList(events) || events.length === 0) {
      throw new ValidationError('an append needs at least one event', [
        { path: '/events', message: 'must not be empty' },
      ]);
    }
    const prepared: PreparedEvent[] = [];
    const seen = events.length > 1 ? new Set<string>() : undefined;
    for (let index = 0; index < events.length; index += 1) {
      const event = events[index] as EventToAppend;
      // the error paths are built only for an event that fails
      if (!schemas.valid(ENVELOPE, event)) schemas.assert(ENVELOPE, event, 'event', `/events/${index}`);
      if (seen?.has(event.id)) {
        throw new ValidationError(`event id ${event.id} appears twice in one append`, [
          { path: `/events/${index}/id`, message: 'is repeated' },
        ]);
      }
      seen?.add(event.id);
      const versions = schemas.eventVersions(event.type);
      const schemaVersion = event.metadata.schemaVersion ?? versions[versions.length - 1];
      if (schemaVersion === undefined || !versions.includes(schemaVersion)) {
        throw new ValidationError(`no schema for event ${event.type} v${schemaVersion ?? '?'}`, [
          {
            path: `/events/${index}/type`,
            message: `has no schema${schemaVersion ? ` at version ${schemaVersion}` : ''}`,
          },
        ]);
      }
      const key = `events/${event.type}.v${schemaVersion}`;
      if (!schemas.valid(key, event.data)) {
        schemas.assert(key, event.data, `event ${event.type}`, `/events/${index}/data`);
      }
      prepared.push({
        id: event.id,
        type: event.type,
        data: event.data,
        metadata: { ...event.metadata, schemaVersion },
      });
    }
    return prepared;
  };

  /** Puts prepared events into the stream's chain, starting after `prevHash` at `firstRevision`. */
  const seal = (
    streamId: string,
    prepared: readonly PreparedEvent[],
    firstRevision: number,
    prevHash: string,
  ): SealedEvent[] => {
    const sealed: SealedEvent[] = [];
    let previous = prevHash;
    for (let offset = 0; offset < prepared.length; offset += 1) {
      const { id, type, data, metadata } = prepared[offset] as PreparedEvent;
      const unsealed = { ...metadata, prevHash: previous };
      const dataJson = canonicalJson(data);
      const unsealedJson = canonicalJson(unsealed);
      const hash = hashCanonical({
        prevHash: previous,
        streamId,
        revision: firstRevision + offset,
        id,
        type,
        dataJson,
        metadataJson: unsealedJson,
      });
      previous = hash;
      sealed.push({
        id,
        type,
        data,
        metadata: { ...unsealed, hash },
        dataJson,
        metadataJson: `${unsealedJson.slice(0, -1)},"hash":"${hash}"}`,
      });
    }
    return sealed;
  };

  /** Whether a stored event is the same write as a prepared one (a retried append). */
  const sameContent = (stored: RecordedEvent, prepared: PreparedEvent): boolean => {
    const { prevHash: _p, hash: _h, ...storedMetadata } = stored.metadata;
    return (
      stored.type === prepared.type &&
      canonicalJson(stored.data) === canonicalJson(prepared.data) &&
      canonicalJson(storedMetadata) === canonicalJson(prepared.metadata)
    );
  };

  /** Brings an event up to the newest version its upcasters reach. */
  const upcast = (event: RecordedEvent): RecordedEvent => {
    const steps = byType.get(event.type);
    if (!steps) return event;
    let current = event;
    for (;;) {
      const step = steps.get(current.metadata.schemaVersion);
      if (!step) return current;
      current = {
        ...current,
        data: step.upcast(current.data, current.metadata),
        metadata: { ...current.metadata, schemaVersion: step.fromVersion + 1 },
      };
    }
  };

  /** Whether an event of this type may be changed by `upcast` (one of its versions has an upcaster). */
  const mayUpcast = (type: string): boolean => byType.has(type);

  return { prepare, seal, sameContent, upcast, mayUpcast };
};
