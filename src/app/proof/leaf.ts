import { canonicalJson } from '../../lib/canonicalJson';
import { leafHash } from '../../lib/merkle';
import type { RecordedEvent } from '../eventStore';

/**
 * A leaf of the log-wide tree: the canonical JSON (RFC 8785) of the event as stored, with what the
 * stream's hash chain leaves out: its position in the log and when the store wrote it. The event's
 * own metadata carries its stream-chain hash, so a leaf covers that too. Rewriting, deleting,
 * re-timing or moving an event changes its leaf.
 */
export const leafText = (event: RecordedEvent): string =>
  canonicalJson({
    position: event.position,
    recordedAt: event.recordedAt,
    streamId: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });

export const eventLeafHash = (event: RecordedEvent): Buffer => leafHash(leafText(event));

/** What the notary keeps of each leaf beside its hash, so a failed check can name the event. */
export type LeafRecord = {
  /** 0-based index of the leaf in the tree: the event's ordinal in the log. */
  index: number;
  position: string;
  streamId: string;
  revision: number;
  eventId: string;
  recordedAt: string;
  hash: Buffer;
};

export const leafRecordOf = (event: RecordedEvent, index: number): LeafRecord => ({
  index,
  position: event.position,
  streamId: event.streamId,
  revision: event.revision,
  eventId: event.id,
  recordedAt: event.recordedAt,
  hash: eventLeafHash(event),
});
