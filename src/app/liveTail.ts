import {
  comparePositions,
  type EventFilter,
  type EventStore,
  type EventSubscription,
  type Position,
  type RecordedEvent,
  type SubscribeOptions,
} from './eventStore';

/** Options of the shared tail; each has a default. */
export type LiveTailOptions = {
  /** Events a follower may hold unread before it is ended as too far behind. Default 1000. */
  bufferSize?: number;
  /** Events read per page, by the tail and by a follower catching up. Default 500. */
  batchSize?: number;
};

/** A follower of the tail: a subscription that may end early because its reader fell too far behind. */
export type LiveFollower = EventSubscription & {
  /** True once the follower was ended because more than `bufferSize` events waited for it. */
  readonly overrun: boolean;
  /**
   * Before anything is read from it: the follower goes on after `position` instead, its reader having had
   * the events up to there another way (the log's stored text, say). Refused once it has been read from.
   */
  skipTo(position: Position): void;
};

/**
 * One reader of the log's new events for the whole process, fanned out to every live stream:
 * N open streams cost one store subscription, not N. Each follower keeps its own filter and
 * position, catches up from the store on its own, then takes the tail's events.
 */
export type LiveTail = {
  /** `onOverrun` is told when the follower is ended as too far behind (its reader may be waiting on a socket). */
  follow(options?: SubscribeOptions, onOverrun?: () => void): LiveFollower;
  /** Followers not yet closed. */
  readonly followers: number;
  /** Whether the shared reader runs now (it runs only while someone follows). */
  readonly reading: boolean;
};

const matches = (event: RecordedEvent, filter: EventFilter | undefined): boolean =>
  (!filter?.streamPrefixes?.length || filter.streamPrefixes.some((p) => event.streamId.startsWith(p))) &&
  (!filter?.eventTypes?.length || filter.eventTypes.includes(event.type));

type Reader = { ready: Promise<void>; subscription?: EventSubscription; stopped: boolean; error?: Error };

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
type Member = { offer(events: RecordedEvent[]): void; end(): void };

/**
 * The shared tail. A follower joins the fan-out first, then reads the log from its own position
 * until a read reaches the end, then serves what the tail gave it past that read: every event is
 * either in the follower's reads (it was in the log before the read) or in its buffer (the tail
 * read it after the follower joined), and the buffer's events at or before the last read are
 * dropped, so there is no gap and no duplicate. A follower that lets its buffer fill while
 * catching up reads the log again (nothing lost); one that lets it fill while live is ended, and
 * its client resumes with Last-Event-ID.
 */
export const createLiveTail = (store: EventStore, options: LiveTailOptions = {}): LiveTail => {
  const bufferSize = options.bufferSize ?? 1000;
  const batchSize = options.batchSize ?? 500;
  const members = new Set<Member>();
  let reader: Reader | undefined;

  const pump = async (current: Reader, subscription: EventSubscription): Promise<void> => {
    try {
      for (;;) {
        const batch = await subscription.nextBatch(batchSize);
        if (batch.length === 0) break;
        for (const member of [...members]) member.offer(batch);
        // the followers write what they were given before the next batch: only a reader held by its
        // socket (backpressure) falls behind, not one that merely waited for its turn on the loop
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      current.error = asError(error);
    }
    // the store closed or failed: the followers end (their clients reconnect); a stopped reader has none
    if (reader === current) {
      reader = undefined;
      for (const member of [...members]) member.end();
    }
  };

  /** Starts the reader at the log's head; followers catch up to it by themselves. */
  const startReader = (): Reader => {
    const current: Reader = { stopped: false, ready: Promise.resolve() };
    current.ready = (async () => {
      const head = await store.headPosition();
      if (current.stopped) return;
      const subscription = store.subscribe({ ...(head === undefined ? {} : { after: head }), batchSize });
      current.subscription = subscription;
      void pump(current, subscription);
    })();
    // a failed start is reported to the followers that wait for it, not as an unhandled rejection
    current.ready.catch((error: unknown) => {
      current.error = asError(error);
      if (reader === current) reader = undefined;
    });
    return current;
  };

  const stopReader = (): void => {
    const current = reader;
    if (!current) return;
    reader = undefined;
    current.stopped = true;
    void current.ready.then(
      () => current.subscription?.close(),
      () => undefined,
    );
  };

  const follow = (subscribeOptions: SubscribeOptions = {}, onOverrun?: () => void): LiveFollower => {
    const filter = subscribeOptions.filter;
    const pageSize = subscribeOptions.batchSize ?? batchSize;
    let checkpoint: Position | undefined = subscribeOptions.after;
    let delivered: Position | undefined = subscribeOptions.after;
    let pending: RecordedEvent[] = [];
    let index = 0;
    let buffer: RecordedEvent[] = [];
    let live = false;
    let missed = false;
    let ended = false;
    let overrun = false;
    let wake: (() => void) | undefined;

    const wakeUp = (): void => {
      const waiting = wake;
      wake = undefined;
      waiting?.();
    };
    const member: Member = {
      offer(events) {
        const mine = filter ? events.filter((e) => matches(e, filter)) : events;
        if (mine.length === 0) return;
        if (buffer.length + mine.length <= bufferSize) buffer.push(...mine);
        else if (live) {
          overrun = true;
          member.end();
          onOverrun?.();
          return;
        } else {
          // still reading the log: what is dropped here is in the log, read again before going live
          buffer = [];
          missed = true;
        }
        wakeUp();
      },
      end() {
        if (ended) return;
        ended = true;
        members.delete(member);
        if (members.size === 0) stopReader();
        wakeUp();
      },
    };
    members.add(member);
    const joined = reader ?? (reader = startReader());

    const done = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });
    /** Makes sure `pending` has events: from the log while catching up, then from the buffer; false once ended. */
    const fill = async (): Promise<boolean> => {
      while (!ended) {
        if (index < pending.length) return true;
        if (!live) {
          // the reader's start position must be known before the read that may end the catch-up
          await joined.ready;
          missed = false;
          const page = await store.readAll({
            ...(checkpoint === undefined ? {} : { after: checkpoint }),
            maxCount: pageSize,
            ...(filter ? { filter } : {}),
          });
          pending = page.events;
          index = 0;
          checkpoint = page.checkpoint ?? checkpoint;
          if (page.isEnd && !missed) live = true;
          continue;
        }
        if (buffer.length > 0) {
          pending = buffer.filter((e) => comparePositions(e.position, checkpoint) > 0);
          buffer = [];
          index = 0;
          checkpoint = pending[pending.length - 1]?.position ?? checkpoint;
          continue;
        }
        if (joined.error !== undefined) throw joined.error;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (joined.error !== undefined && !overrun) throw joined.error;
      return false;
    };

    const follower: LiveFollower = {
      get overrun() {
        return overrun;
      },
      skipTo(position) {
        if (live || pending.length > 0) throw new Error('a follower already read from cannot skip');
        if (comparePositions(position, checkpoint) > 0) checkpoint = delivered = position;
      },
      get position() {
        return delivered;
      },
      get checkpoint() {
        return index >= pending.length ? checkpoint : delivered;
      },
      async next(): Promise<IteratorResult<RecordedEvent>> {
        if (!(await fill())) return done();
        const event = pending[index] as RecordedEvent;
        index += 1;
        delivered = event.position;
        return { done: false, value: event };
      },
      async nextBatch(max = Number.POSITIVE_INFINITY): Promise<RecordedEvent[]> {
        if (!(await fill())) return [];
        const batch = pending.slice(index, index + max);
        index += batch.length;
        delivered = (batch[batch.length - 1] as RecordedEvent).position;
        return batch;
      },
      async return(): Promise<IteratorReturnResult<undefined>> {
        member.end();
        return done();
      },
      async close(): Promise<void> {
        member.end();
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return follower;
  };

  return {
    follow,
    get followers() {
      return members.size;
    },
    get reading() {
      return reader !== undefined;
    },
  };
};
