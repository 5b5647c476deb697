import type {
  EventSubscription,
  Position,
  ReadAllOptions,
  ReadAllResult,
  RecordedEvent,
  SubscribeOptions,
} from '../../app/eventStore';

/**
 * Tells waiting readers that something was appended. The version lets a reader that read the log
 * at version v wait for "anything after v" without missing an append that landed in between.
 */
export class AppendSignal {
  private version = 0;
  private waiters = new Set<() => void>();

  get current(): number {
    return this.version;
  }

  notify(): void {
    this.version += 1;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves after an append past `sinceVersion`, after `timeoutMs`, or when aborted. */
  wait(sinceVersion: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.version !== sinceVersion || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

type PollingDeps = {
  readAll: (options: ReadAllOptions) => Promise<ReadAllResult>;
  signal: AppendSignal;
  /** How long to wait for a local append before looking again (writes by other processes). */
  pollIntervalMs: number;
  /** Told once, when the subscription is closed (or its iteration ends early). */
  onClose?: () => void;
};

/**
 * Catch-up then live, as one loop: always read the log after the last position seen; when a read
 * reaches the end, wait for an append. Because live events are read from the log like old ones,
 * the switch has no gap and no duplicate, and the subscription holds at most one batch.
 */
export const createPollingSubscription = (deps: PollingDeps, options: SubscribeOptions = {}): EventSubscription => {
  const batchSize = options.batchSize ?? 500;
  const abort = new AbortController();
  let checkpoint: Position | undefined = options.after;
  let delivered: Position | undefined = options.after;
  let buffer: RecordedEvent[] = [];
  let index = 0;

  const done = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });
  const stop = (): void => {
    if (abort.signal.aborted) return;
    abort.abort();
    deps.onClose?.();
  };

  /** Makes sure the buffer has events, reading (and waiting for appends) as needed; false once closed. */
  const fill = async (): Promise<boolean> => {
    while (!abort.signal.aborted) {
      if (index < buffer.length) return true;
      const seenVersion = deps.signal.current;
      const result = await deps.readAll({
        after: checkpoint,
        maxCount: batchSize,
        filter: options.filter,
        lazyMetadata: options.lazyMetadata,
      });
      buffer = result.events;
      index = 0;
      checkpoint = result.checkpoint ?? checkpoint;
      if (buffer.length === 0 && result.isEnd) {
        await deps.signal.wait(seenVersion, deps.pollIntervalMs, abort.signal);
      }
    }
    return false;
  };

  const subscription: EventSubscription = {
    get position() {
      return delivered;
    },
    get checkpoint() {
      return index >= buffer.length ? checkpoint : delivered;
    },
    async next(): Promise<IteratorResult<RecordedEvent>> {
      if (!(await fill())) return done();
      const event = buffer[index] as RecordedEvent;
      index += 1;
      delivered = event.position;
      return { done: false, value: event };
    },
    async nextBatch(max = Number.POSITIVE_INFINITY): Promise<RecordedEvent[]> {
      if (!(await fill())) return [];
      const batch = buffer.slice(index, index + max);
      index += batch.length;
      delivered = (batch[batch.length - 1] as RecordedEvent).position;
      return batch;
    },
    async return(): Promise<IteratorReturnResult<undefined>> {
      stop();
      return done();
    },
    async close(): Promise<void> {
      stop();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return subscription;
};
