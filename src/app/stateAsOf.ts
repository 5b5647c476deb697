import type { AnyEvent, Decider } from '../domain/messages';
import type { EventStore, RecordedEvent } from './eventStore';

/** An aggregate's state rebuilt from the events of its stream recorded up to an instant. */
export type StateAsOf = {
  state: unknown;
  /** The last event recorded up to the instant (of any type), in stream order. */
  last: { revision: number; recordedAt: string };
};

type AnyDecider = Decider<unknown, AnyEvent, unknown>;

/** Folds the events recorded at or before `asOf` (ms), in stream order: the definition the snapshots keep to. */
export const foldAsOf = (
  decider: AnyDecider,
  events: readonly RecordedEvent[],
  asOf: number,
): StateAsOf | undefined => {
  const types = new Set<string>(decider.eventTypes);
  let state = decider.initialState;
  let last: RecordedEvent | undefined;
  for (const event of events) {
    if (Date.parse(event.recordedAt) > asOf) continue;
    if (types.has(event.type)) state = decider.evolve(state, { type: event.type, data: event.data });
    last = event;
  }
  return last && { state, last: { revision: last.revision, recordedAt: last.recordedAt } };
};

/** `size` revisions of a stream, and what an answer needs of them without reading them again. */
type Block = {
  /** Revisions first..first+size-1. */
  first: number;
  /** The state after folding every event up to the block's last. */
  stateAfter: unknown;
  /** The last event of the block. */
  last: { revision: number; recordedAt: string };
  /** The latest recordedAt of the stream up to the block's end: at or after it, the whole prefix counts. */
  prefixMax: number;
  /** The earliest recordedAt in the block: before it, none of the block counts. */
  min: number;
};

type History = { decider: AnyDecider; blocks: Block[] };

export type StateAsOfOptions = {
  /** Revisions per snapshot: an answer reads at most about this many events. Default 128. */
  blockSize?: number;
  /** Streams whose snapshots are kept (least recently asked dropped first). Default 200. */
  maxStreams?: number;
};

/**
 * The state of a stream as of an instant, from snapshots kept in memory every `blockSize` revisions:
 * an answer folds from the last snapshot whose whole prefix was recorded by the instant, and reads only
 * the blocks after it that hold an event recorded by then (one, while the store's clock moves forward).
 * The result equals `foldAsOf` over the whole stream. Snapshots of full blocks never change (a stream
 * only grows); a stream's new full blocks are added when it is next asked for.
 */
export const createStateAsOf = (store: EventStore, options: StateAsOfOptions = {}) => {
  const size = options.blockSize ?? 128;
  const maxStreams = options.maxStreams ?? 200;
  const histories = new Map<string, History>();

  const read = (streamId: string, first: number, count: number) =>
    store.readStream(streamId, { fromRevision: first, maxCount: count });

  /** Adds the full blocks written since the stream was last asked for. */
  const extend = async (streamId: string, history: History, head: number): Promise<void> => {
    const { decider, blocks } = history;
    const types = new Set<string>(decider.eventTypes);
    for (;;) {
      const previous = blocks[blocks.length - 1];
      const first = previous ? previous.last.revision + 1 : 0;
      if (head - first + 1 < size) return;
      const events = await read(streamId, first, size);
      if (events.length < size) return;
      let state = previous ? previous.stateAfter : decider.initialState;
      let prefixMax = previous ? previous.prefixMax : Number.NEGATIVE_INFINITY;
      let min = Number.POSITIVE_INFINITY;
      for (const event of events) {
        const at = Date.parse(event.recordedAt);
        if (types.has(event.type)) state = decider.evolve(state, { type: event.type, data: event.data });
        prefixMax = Math.max(prefixMax, at);
        min = Math.min(min, at);
      }
      const end = events[events.length - 1] as RecordedEvent;
      blocks.push({
        first,
        stateAfter: state,
        last: { revision: end.revision, recordedAt: end.recordedAt },
        prefixMax,
        min,
      });
    }
  };

  const historyOf = (streamId: string, decider: AnyDecider): History => {
    let history = histories.get(streamId);
    if (history?.decider !== decider) history = { decider, blocks: [] };
    // most recently asked last: the first key is the one to drop
    histories.delete(streamId);
    histories.set(streamId, history);
    if (histories.size > maxStreams) histories.delete(histories.keys().next().value as string);
    return history;
  };

  return {
    /** The state recorded by `asOf` (ms since the epoch), or undefined when no event was recorded by then. */
    async stateAsOf(streamId: string, decider: AnyDecider, asOf: number): Promise<StateAsOf | undefined> {
      const [head] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      if (!head) return undefined;
      const history = historyOf(streamId, decider);
      await extend(streamId, history, head.revision);
      const { blocks } = history;
      // the last block whose whole prefix was recorded by asOf (prefixMax only grows)
      let low = 0;
      let high = blocks.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((blocks[mid] as Block).prefixMax <= asOf) low = mid + 1;
        else high = mid;
      }
      const base = blocks[low - 1];
      let answer: StateAsOf | undefined = base && { state: base.stateAfter, last: base.last };
      const types = new Set<string>(decider.eventTypes);
      const fold = (events: readonly RecordedEvent[]) => {
        for (const event of events) {
          if (Date.parse(event.recordedAt) > asOf) continue;
          const state = answer?.state ?? decider.initialState;
          answer = {
            state: types.has(event.type) ? decider.evolve(state, { type: event.type, data: event.data }) : state,
            last: { revision: event.revision, recordedAt: event.recordedAt },
          };
        }
      };
      for (const block of blocks.slice(low)) if (block.min <= asOf) fold(await read(streamId, block.first, size));
      // the events after the last full block
      const tail = blocks.length > 0 ? (blocks[blocks.length - 1] as Block).last.revision + 1 : 0;
      if (tail <= head.revision) fold(await read(streamId, tail, head.revision - tail + 1));
      return answer;
    },
  };
};
