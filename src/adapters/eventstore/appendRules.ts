import type { AppendResult, ExpectedRevision, RecordedEvent } from '../../app/eventStore';
import { EventIdConflictError, WrongExpectedRevisionError } from '../../domain/errors';
import type { EventCodec, PreparedEvent } from './eventCodec';

/** Throws when the stream's current revision (undefined: no stream) is not what the writer expected. */
export const assertExpectedRevision = (
  streamId: string,
  expected: ExpectedRevision,
  current: number | undefined,
): void => {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    (typeof expected === 'number' && current === expected);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, current ?? 'no_stream');
};

/**
 * Decides whether an append is a retry of one already stored. `stored[i]` is what the store holds
 * under the id of `events[i]`, if anything. All absent: a new append (undefined). All present, in
 * this stream, consecutive and with the same content: the first append's result. Anything else is a
 * conflict.
 */
export const resolveRetry = (
  codec: EventCodec,
  streamId: string,
  events: readonly PreparedEvent[],
  stored: ReadonlyArray<RecordedEvent | undefined>,
): AppendResult | undefined => {
  if (stored.every((event) => event === undefined)) return undefined;
  const first = stored[0];
  for (const [offset, event] of stored.entries()) {
    const prepared = events[offset] as PreparedEvent;
    const reason =
      event === undefined || first === undefined
        ? 'the append was only partly stored before'
        : event.streamId !== streamId
          ? `the id is already used in stream ${event.streamId}`
          : event.revision !== first.revision + offset || !codec.sameContent(event, prepared)
            ? 'the id is already used for an event with other content'
            : undefined;
    if (reason) throw new EventIdConflictError(prepared.id, streamId, reason);
  }
  const last = stored[stored.length - 1] as RecordedEvent;
  return { nextExpectedRevision: last.revision, position: last.position };
};
