import { createHash } from 'node:crypto';
import { canonicalJson } from '../../app/canonicalJson';
import type { EventMetadata, EventStore, RecordedEvent } from '../../app/eventStore';

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

/** sha256(prevHash + canonical JSON of {streamId, revision, id, type, data, metadata without hash}). */
export const computeEventHash = (input: HashInput): string =>
  createHash('sha256')
    .update(input.metadata.prevHash)
    .update(
      canonicalJson({
        streamId: input.streamId,
        revision: input.revision,
        id: input.id,
        type: input.type,
        data: input.data,
        metadata: input.metadata,
      }),
    )
    .digest('hex');

export type ChainBreak = {
  /** The first revision at which the chain does not hold. */
  revision: number;
  eventId: string | undefined;
  reason: 'altered' | 'removed' | 'reordered' | 'truncated';
  detail: string;
};

export type VerifyResult =
  | { ok: true; streamId: string; events: number; headHash: string }
  | { ok: false; streamId: string; events: number; break: ChainBreak };

const withoutHash = (metadata: EventMetadata): Omit<EventMetadata, 'hash'> => {
  const { hash: _hash, ...rest } = metadata;
  return rest;
};

/**
 * Walks a stream's events as stored and names the first altered, removed or reordered one.
 * `expectedHead`, when the store keeps one apart from the events, catches a cut-off tail.
 */
export const verifyChain = (
  streamId: string,
  events: readonly RecordedEvent[],
  expectedHead?: { revision: number; hash: string },
): VerifyResult => {
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
        : fail(index - 1, 'altered', `revision ${index - 1} was changed and rehashed: revision ${index} links to ${event.metadata.prevHash}`);
    }
    prevHash = event.metadata.hash;
  }
  if (expectedHead && (expectedHead.revision !== events.length - 1 || expectedHead.hash !== prevHash)) {
    return fail(
      Math.min(events.length, expectedHead.revision),
      'truncated',
      `the stream's head is revision ${expectedHead.revision}, the events end at ${events.length - 1}`,
    );
  }
  return { ok: true, streamId, events: events.length, headHash: prevHash };
};

/** Reads a stream exactly as stored and verifies its chain. */
export const verifyStream = async (store: EventStore & StreamHeadSource, streamId: string): Promise<VerifyResult> => {
  const events = await store.readStream(streamId, { raw: true });
  // raw reads come back in the order written, so a reordering shows as revisions out of place
  const head = store.streamHead ? await store.streamHead(streamId) : undefined;
  return verifyChain(streamId, events, head);
};

/** Stores that keep each stream's head apart from its events can expose it for truncation checks. */
export type StreamHeadSource = {
  streamHead?(streamId: string): Promise<{ revision: number; hash: string } | undefined>;
};
