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

/** Consecutive revisions of a stream, and what an answer needs of them without reading them again. */
type Block = {
  /** Revisions first..first+count-1. */
  first: number;
  count: number;
  /** The state after folding every event up to the block's last. */
  stateAfter: unknown;
  /** The last event of the block. */
  last: { revision: number; recordedAt: string };
  /** The latest recordedAt of the stream up to the block's end: at or after it, the whole prefix counts. */
  prefixMax: number;
  /** The earliest recordedAt in the block: before it, none of the block counts. */
  min: number;
  /** About what its snapshot holds: the length of its state as JSON text. */
  bytes: number;
};

type History = {
  decider: AnyDecider;
  /** Replaced, never changed in place, so an answer under way keeps the blocks it started with. */
  blocks: readonly Block[];
  bytes: number;
  /** The extension under way: one at a time per stream. */
  extending: Promise<void>;
};

export type StateAsOfOptions = {
  /** Revisions per snapshot: an answer reads about this many events. Default 128. */
  blockSize?: number;
  /** Streams whose snapshots are kept (least recently asked dropped first). Default 200. */
  maxStreams?: number;
  /**
   * About how much the snapshots hold in all, as the JSON text of their states (and 100 bytes a
   * snapshot besides): past it the least
   * recently asked streams are dropped, and a stream too big alone keeps every other snapshot (its
   * answers then read twice as many events). Default 64 MiB.
   */
  maxBytes?: number;
};

/** Two neighbouring blocks as one: the snapshot after the second, read whole from the first's start. */
const merge = (a: Block, b: Block): Block => ({
  ...b,
  first: a.first,
  count: a.count + b.count,
  min: Math.min(a.min, b.min),
});

/** Every other snapshot dropped: half the memory, blocks twice as long. */
const thin = (blocks: readonly Block[]): Block[] => {
  const kept: Block[] = [];
  for (let i = 0; i < blocks.length; i += 2) {
    const a = blocks[i] as Block;
    const b = blocks[i + 1];
    kept.push(b ? merge(a, b) : a);
  }
  return kept;
};

/** What a snapshot costs besides its state (the block's own fields), counted as JSON text would be. */
const SNAPSHOT_OVERHEAD = 100;

const bytesOf = (blocks: readonly Block[]): number => blocks.reduce((sum, b) => sum + b.bytes, 0);

/**
 * The state of a stream as of an instant, from snapshots kept in memory every `blockSize` revisions:
 * an answer folds from the last snapshot whose whole prefix was recorded by the instant, and reads only
 * the blocks after it that hold an event recorded by then (one, while the store's clock moves forward).
 * The result equals `foldAsOf` over the whole stream. Snapshots of full blocks never change (a stream
 * only grows); a stream's new full blocks are added when it is next asked for. The snapshots are an
 * LRU cache bounded by streams and by size.
 */
export const createStateAsOf = (store: EventStore, options: StateAsOfOptions = {}) => {
  const size = options.blockSize ?? 128;
  const maxStreams = options.maxStreams ?? 200;
  const maxBytes = options.maxBytes ?? 64 * 2 ** 20;
  // most recently asked last: the first key is the one to drop
  const histories = new Map<string, History>();
  let total = 0;

  const read = (streamId: string, first: number, count: number) =>
    store.readStream(streamId, { fromRevision: first, maxCount: count });

  const drop = (streamId: string): void => {
    total -= histories.get(streamId)?.bytes ?? 0;
    histories.delete(streamId);
  };

  /** Within the bounds: other streams dropped, least recently asked first, then this one thinned. */
  const bound = (streamId: string, history: History): void => {
    for (const other of histories.keys()) {
      if (histories.size <= maxStreams && total <= maxBytes) return;
      if (other !== streamId) drop(other);
    }
    while (total > maxBytes && history.blocks.length > 1) {
      const blocks = thin(history.blocks);
      total += bytesOf(blocks) - history.bytes;
      history.bytes = bytesOf(blocks);
      history.blocks = blocks;
    }
  };

  /** Adds the full blocks written since the stream was last asked for. */
  const extend = async (streamId: string, history: History, head: number): Promise<void> => {
    const { decider } = history;
    const types = new Set<string>(decider.eventTypes);
    for (;;) {
      const previous = history.blocks[history.blocks.length - 1];
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
      const bytes = SNAPSHOT_OVERHEAD + (JSON.stringify(state)?.length ?? 0);
      history.blocks = [
        ...history.blocks,
        {
          first,
          count: size,
          stateAfter: state,
          last: { revision: end.revision, recordedAt: end.recordedAt },
          prefixMax,
          min,
          bytes,
        },
      ];
      history.bytes += bytes;
      // a history dropped meanwhile (by other streams' answers) is this answer's alone
      if (histories.get(streamId) === history) {
        total += bytes;
        bound(streamId, history);
      }
    }
  };

  const historyOf = (streamId: string, decider: AnyDecider): History => {
    let history = histories.get(streamId);
    if (history?.decider !== decider) {
      drop(streamId);
      history = { decider, blocks: [], bytes: 0, extending: Promise.resolve() };
    }
    histories.delete(streamId);
    histories.set(streamId, history);
    return history;
  };

  return {
    /** The state recorded by `asOf` (ms since the epoch), or undefined when no event was recorded by then. */
    async stateAsOf(streamId: string, decider: AnyDecider, asOf: number): Promise<StateAsOf | undefined> {
      const [head] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      if (!head) return undefined;
      const history = historyOf(streamId, decider);
      // one extension at a time per stream: two at once would add the same block twice
      history.extending = history.extending.catch(() => undefined).then(() => extend(streamId, history, head.revision));
      await history.extending;
      // the blocks as they are now: another answer may extend or thin them while this one reads
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
      for (const block of blocks.slice(low))
        if (block.min <= asOf) fold(await read(streamId, block.first, block.count));
      // the events after the last full block, up to the head this answer read
      const tail = blocks.length > 0 ? (blocks[blocks.length - 1] as Block).last.revision + 1 : 0;
      if (tail <= head.revision) fold(await read(streamId, tail, head.revision - tail + 1));
      return answer;
    },
    /** How much the snapshots hold now (streams, blocks, bytes as JSON text of their states). */
    usage: () => ({
      streams: histories.size,
      blocks: [...histories.values()].reduce((sum, h) => sum + h.blocks.length, 0),
      bytes: total,
    }),
  };
};
