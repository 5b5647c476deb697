import { hash as digest } from 'node:crypto';
import { canonicalJson, jsonString } from '../../lib/canonicalJson';
import type { ChainBreak, EventMetadata, RecordedEvent, VerifyResult } from '../../app/eventStore';

/** The prevHash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export type HashInput = {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  /** Everything but `hash`; `prevHash` included. */
  metadata: Omit<EventMetadata, 'hash'>;
};

/** The canonical parts of an event, serialised once: the store writes the same strings it hashes. */
export type CanonicalParts = {
  prevHash: string;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  /** canonicalJson(data) */
  dataJson: string;
  /** canonicalJson(metadata without hash) */
  metadataJson: string;
};

/**
 * sha256(prevHash + canonical JSON of {streamId, revision, id, type, data, metadata without hash}).
 * The object's members in canonical (sorted) order are data, id, metadata, revision, streamId,
 * type, so the text is assembled from the parts' canonical forms without a second pass.
 */
export const hashCanonical = (parts: CanonicalParts): string =>
  // one-shot sha256 (node:crypto `hash`): half the time of a Hash object for an event's few hundred bytes
  digest(
    'sha256',
    `${parts.prevHash}{"data":${parts.dataJson},"id":${jsonString(parts.id)},"metadata":${parts.metadataJson},` +
      `"revision":${parts.revision},"streamId":${jsonString(parts.streamId)},"type":${jsonString(parts.type)}}`,
  );

export const computeEventHash = (input: HashInput): string =>
  hashCanonical({
    prevHash: input.metadata.prevHash,
    streamId: input.streamId,
    revision: input.revision,
    id: input.id,
    type: input.type,
    dataJson: canonicalJson(input.data),
    metadataJson: canonicalJson(input.metadata),
  });

const withoutHash = (metadata: EventMetadata): Omit<EventMetadata, 'hash'> => {
  const { hash: _hash, ...rest } = metadata;
  return rest;
};

/**
 * Walks a stream's events as stored and names the first altered, removed or reordered one. A cut-off
 * tail leaves the chain whole; the store's log-wide check (positions) finds that.
 */
export const verifyChain = (streamId: string, events: readonly RecordedEvent[]): VerifyResult => {
  let prevHash = GENESIS_HASH;
  const hashes = new Set(events.map((event) => event.metadata.hash));
  const revisions = new Set(events.map((event) => event.revision));
  const fail = (index: number, reason: ChainBreak['reason'], detail: string): VerifyResult => ({
    ok: false,
    streamId,
    events: events.length,
    break: { revision: index, eventId: events[index]?.id, reason, detail },
  });
  for (const [index, event] of events.entries()) {
    if (event.revision !== index) {
      return revisions.has(index)
        ? fail(index, 'reordered', `revision ${index} was written after revision ${event.revision}`)
        : fail(index, 'removed', `revision ${index} is missing; the next stored is ${event.revision}`);
    }
    const recomputed = computeEventHash({ ...event, metadata: withoutHash(event.metadata) });
    if (recomputed !== event.metadata.hash) {
      return fail(index, 'altered', `its content does not match its hash ${event.metadata.hash}`);
    }
    if (event.metadata.prevHash !== prevHash) {
      return hashes.has(event.metadata.prevHash)
        ? fail(index, 'reordered', `its prevHash is the hash of another event than revision ${index - 1}`)
        : fail(
            index - 1,
            'altered',
            `revision ${index - 1} was changed and rehashed: revision ${index} links to ${event.metadata.prevHash}`,
          );
    }
    prevHash = event.metadata.hash;
  }
  return { ok: true, streamId, events: events.length, headHash: prevHash };
};

/**
 * Reads a stream exactly as stored and verifies its chain: each store's `verifyStream`. Raw reads come
 * back in the order written, so a reordering shows as revisions out of place.
 */
export const verifyStoredStream = async (
  readRaw: (streamId: string) => Promise<RecordedEvent[]>,
  streamId: string,
): Promise<VerifyResult> => verifyChain(streamId, await readRaw(streamId));

/** An event as the SQLite log stores it: data and metadata as the JSON text the writer hashed. */
export type StoredText = {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  /** canonicalJson(data), as written. */
  dataJson: string;
  /** canonicalJson(metadata without hash) with `,"hash":"<hash>"` added before its closing brace, as written. */
  metadataJson: string;
};

const HASH_MEMBER = ',"hash":"';
// the metadata is a flat object of strings and numbers (schemas/common/eventMetadata.json), so this
// member text occurs once, as its own member: a quote inside a string value is escaped
const PREV_HASH_MEMBER = '"prevHash":"';
/** `,"hash":"<64 hex>"}`: how the writer's metadata text ends. */
const HASH_TAIL = HASH_MEMBER.length + 64 + 2;
const QUOTE = 34;

/**
 * A stream's chain checked over its stored text, one event at a time in revision order, holding only
 * the last hash: each event's hash is recomputed from the text the writer hashed (the metadata with its
 * hash member taken off), without parsing or re-serialising anything.
 */
export const createTextChainCheck = (streamId: string) => {
  let prevHash = GENESIS_HASH;
  let events = 0;
  return {
    /**
     * Whether the next event holds as the writer stored it: the next revision, its metadata in the
     * writer's shape linking to the previous hash, its hash recomputed. When one does not, the stream
     * is for `verifyChain` to judge and name the break.
     */
    holds(event: StoredText): boolean {
      const text = event.metadataJson;
      const at = text.length - HASH_TAIL;
      const link = text.indexOf(PREV_HASH_MEMBER) + PREV_HASH_MEMBER.length;
      if (
        event.revision !== events ||
        at <= 0 ||
        !text.startsWith(HASH_MEMBER, at) ||
        text.charCodeAt(text.length - 2) !== QUOTE ||
        !text.endsWith('}') ||
        link < PREV_HASH_MEMBER.length ||
        !text.startsWith(prevHash, link) ||
        text.charCodeAt(link + prevHash.length) !== QUOTE
      )
        return false;
      const hash = text.slice(at + HASH_MEMBER.length, text.length - 2);
      const recomputed = hashCanonical({
        prevHash,
        streamId,
        revision: event.revision,
        id: event.id,
        type: event.type,
        dataJson: event.dataJson,
        metadataJson: `${text.slice(0, at)}}`,
      });
      if (recomputed !== hash) return false;
      prevHash = hash;
      events += 1;
      return true;
    },
    /** What the events checked so far make: an intact chain. */
    result: (): VerifyResult => ({ ok: true, streamId, events, headHash: prevHash }),
  };
};

/**
 * `verifyChain` over events stored as text, in the order written, at the cost of one hash per event
 * (`createTextChainCheck`). Anything that does not hold that way (an altered, removed or reordered
 * event, text not in the writer's shape) is handed to `verifyChain` over the parsed events, which names
 * it exactly as before.
 */
export const verifyStoredText = <Stored>(
  streamId: string,
  stored: readonly Stored[],
  asText: (stored: Stored) => StoredText,
  parse: (stored: Stored) => RecordedEvent,
): VerifyResult => {
  const check = createTextChainCheck(streamId);
  for (const one of stored) if (!check.holds(asText(one))) return verifyChain(streamId, stored.map(parse));
  return check.result();
};
