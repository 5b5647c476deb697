import { canonicalAround, canonicalJson, jsonString } from '../../lib/canonicalJson';
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
  /**
   * canonicalJson(data), and the canonical text of the metadata around its prevHash's value, its
   * closing brace left off (`metadataOpen + JSON.stringify(prevHash) + metadataClose + '}'`):
   * serialised once, when the append is handed in, so sealing only joins text and hashes it, and what
   * is stored is what was validated.
   */
  dataJson: string;
  metadataOpen: string;
  metadataClose: string;
};

/** An event in its stream's chain. Its metadata as stored is `sealedMetadata(event)`, built when asked for. */
export type SealedEvent = {
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** The writer's metadata, its version settled, without the chain's members. */
  unsealed: PreparedEvent['metadata'];
  prevHash: string;
  hash: string;
  /** JSON text of data and of metadata (hash included), ready to store. */
  dataJson: string;
  metadataJson: string;
};

/** A sealed event's metadata as stored: the writer's, its version, and the chain's prevHash and hash. */
export const sealedMetadata = ({ unsealed, prevHash, hash }: SealedEvent): EventMetadata => ({
  ...unsealed,
  prevHash,
  hash,
});

/** Array.isArray without narrowing a typed list to any[]: callers from JavaScript may pass anything. */
const isList = (value: unknown): boolean => Array.isArray(value);

const ENVELOPE = 'common/eventEnvelope';
const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

export type EventCodec = ReturnType<typeof createEventCodec>;

/** An event type's schema versions, ascending, and the registry key of each. */
type TypeSchemas = { newest: number | undefined; keys: Map<number, string> };
const TYPES_KEPT = 10_000;

export const createEventCodec = (schemas: SchemaRegistry, upcasters: readonly Upcaster[] = []) => {
  /** Per event type, its versions' schema keys: looked up once, not a key string built per event. */
  const typeSchemas = new Map<string, TypeSchemas>();
  const schemasOf = (type: string): TypeSchemas => {
    let known = typeSchemas.get(type);
    if (known) return known;
    const versions = schemas.eventVersions(type);
    known = { newest: versions[versions.length - 1], keys: new Map(versions.map((v) => [v, `events/${type}.v${v}`])) };
    if (versions.length > 0 && typeSchemas.size < TYPES_KEPT) typeSchemas.set(type, known);
    return known;
  };

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
      const { newest, keys } = schemasOf(event.type);
      const schemaVersion = event.metadata.schemaVersion ?? newest;
      const key = schemaVersion === undefined ? undefined : keys.get(schemaVersion);
      if (schemaVersion === undefined || key === undefined) {
        throw new ValidationError(`no schema for event ${event.type} v${schemaVersion ?? '?'}`, [
          {
            path: `/events/${index}/type`,
            message: `has no schema${schemaVersion ? ` at version ${schemaVersion}` : ''}`,
          },
        ]);
      }
      if (!schemas.valid(key, event.data)) {
        schemas.assert(key, event.data, `event ${event.type}`, `/events/${index}/data`);
      }
      // Object.assign rather than a spread: a fifth of the time for these few members (a valid
      // envelope's metadata has no __proto__ member, which the two would treat differently)
      const metadata = Object.assign({}, event.metadata, { schemaVersion });
      const [metadataOpen, metadataClose] = canonicalAround(metadata, 'prevHash');
      prepared.push({
        id: event.id,
        type: event.type,
        data: event.data,
        metadata,
        dataJson: canonicalJson(event.data),
        metadataOpen,
        metadataClose,
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
      const event = prepared[offset] as PreparedEvent;
      const { id, type, data, dataJson } = event;
      // the metadata's members, up to its closing brace: the hash covers them closed, the store adds hash after
      const members = `${event.metadataOpen}${jsonString(previous)}${event.metadataClose}`;
      const hash = hashCanonical({
        prevHash: previous,
        streamId,
        revision: firstRevision + offset,
        id,
        type,
        dataJson,
        metadataJson: `${members}}`,
      });
      sealed.push({
        id,
        type,
        data,
        unsealed: event.metadata,
        prevHash: previous,
        hash,
        dataJson,
        metadataJson: `${members},"hash":"${hash}"}`,
      });
      previous = hash;
    }
    return sealed;
  };

  /** Whether a stored event is the same write as a prepared one (a retried append). */
  const sameContent = (stored: RecordedEvent, prepared: PreparedEvent): boolean => {
    const { prevHash: _p, hash: _h, ...storedMetadata } = stored.metadata;
    return (
      stored.type === prepared.type &&
      canonicalJson(stored.data) === prepared.dataJson &&
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
