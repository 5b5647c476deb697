import { Observable } from 'rxjs';
import { isDomainEventType, type DomainEventOf, type DomainEventType } from '../domain/aggregates';
import type { ExpectedRevision } from '../domain/errors';

export type { ExpectedRevision };

/** Where an event came from; part of every event's metadata. */
export type EventSource = 'api' | 'pda' | 'device' | 'erp' | 'wms' | 'system';

/** Metadata the writer supplies. */
export type EventMetadataInput = {
  /** Business time: when it happened on the shop floor (ISO 8601 with offset). */
  occurredAt: string;
  /** User, device or process that caused it. */
  actor: string;
  source: EventSource;
  correlationId: string;
  causationId: string;
  /** Defaults to the newest version of the event type in `schemas/events`. */
  schemaVersion?: number;
  /** Identity of the input this event came from (scan id, device message id, ERP message id). */
  inputId?: string;
  /** When the server received the input (beside `occurredAt`, a client's time); absent on the system's own events. */
  receivedAt?: string;
  /** The client's own id of its request (X-Request-Id); the correlation id is always the server's. */
  clientRequestId?: string;
};

/** Metadata as stored: the writer's, plus the version and the per-stream hash chain. */
export type EventMetadata = Omit<EventMetadataInput, 'schemaVersion'> & {
  schemaVersion: number;
  prevHash: string;
  hash: string;
};

export type EventToAppend = {
  /** Deterministic where the input has an identity, so a retried input appends nothing. */
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadataInput;
};

/**
 * Opaque, totally ordered, resumable. Positions of one store compare correctly as strings
 * (fixed-width digits), which is what `comparePositions` does.
 */
export type Position = string;

export type RecordedEvent<Type extends string = string, Data = Record<string, unknown>> = {
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  streamId: string;
  /** 0-based index of the event in its stream. */
  revision: number;
  position: Position;
  /** When the store wrote it (ISO 8601, UTC). */
  recordedAt: string;
};

/**
 * A recorded event of the domain, typed by its type: `switch (event.type)` narrows `event.data` to
 * that type's data at its newest schema version (src/domain/generated).
 */
export type RecordedDomainEvent<T extends DomainEventType = DomainEventType> = {
  [K in T]: RecordedEvent<K, DomainEventOf<K>['data']>;
}[T];

/**
 * Streams a process keeps at hand, the most recently used: the command handler's folded states (its
 * default) and the SQLite writer's stream heads. Past them a stream costs one read of what is new.
 */
export const HOT_STREAMS = 2_000;

/**
 * The event typed by its type, or undefined for a type the domain does not know. The cast trusts the
 * store: it validated the data against its version's schema on append and upcasts it on read.
 */
export const asDomainEvent = (event: RecordedEvent): RecordedDomainEvent | undefined =>
  isDomainEventType(event.type) ? (event as RecordedDomainEvent) : undefined;

/** Whether the event is of one of `types`: narrows it to them. */
export const isOfType = <T extends DomainEventType>(
  types: readonly T[],
  event: RecordedDomainEvent,
): event is Extract<RecordedDomainEvent, { type: T }> => (types as readonly string[]).includes(event.type);

export type AppendOptions = {
  /** Default 'any'. */
  expectedRevision?: ExpectedRevision;
};

export type AppendResult = {
  /** The revision of the last event in the stream: the expected revision for the next append. */
  nextExpectedRevision: number;
  /** The position of the last event written (or of the existing ones, for a retried append). */
  position: Position;
};

export type Direction = 'forwards' | 'backwards';

export type ReadStreamOptions = {
  /** Default 'forwards'. */
  direction?: Direction;
  /** Inclusive. Default: the start (forwards) or the end (backwards). */
  fromRevision?: number;
  /** Default: no limit. */
  maxCount?: number;
  /**
   * The events exactly as stored, in the order they were written, without upcasting: what hash
   * verification needs. Default false.
   */
  raw?: boolean;
};

export type EventFilter = {
  /** Keep events whose stream id starts with one of these, e.g. `order-`. */
  streamPrefixes?: string[];
  /** Keep events of these types. */
  eventTypes?: string[];
};

export type ReadAllOptions = {
  /** Exclusive: read events after this position. Default: from the very start. */
  after?: Position;
  /** Default 1000. */
  maxCount?: number;
  filter?: EventFilter;
  /** The events exactly as stored, without upcasting: what the log-wide proof hashes. Default false. */
  raw?: boolean;
  /** Each event's metadata parsed when first read, not before (a store may ignore it). Default false. */
  lazyMetadata?: boolean;
};

export type ReadAllResult = {
  events: RecordedEvent[];
  /**
   * How far the read looked: pass it as `after` to continue. With a filter this can be past the
   * last event returned (the events in between did not match), so a reader never rescans them.
   */
  checkpoint: Position | undefined;
  /** True when the read reached the end of the log as it was when read. */
  isEnd: boolean;
};

/**
 * An event as JSON text, `{ id, type, streamId, revision, position, recordedAt, metadata, data }` in that
 * order, upcast like `readAll`'s, beside what a reader filters on: what an export writes without decoding
 * each event and encoding it again.
 */
export type EventJson = { streamId: string; type: string; recordedAt: string; position: Position; json: string };

export type ReadAllJsonResult = Omit<ReadAllResult, 'events'> & { events: EventJson[] };

export type ReadByCorrelationOptions = {
  /** Exclusive: the events after this position (a page's last, to read the next page). Default: from the start. */
  after?: Position;
  /** The most events returned, the first in log order (after `after`). Default: all. */
  limit?: number;
};

export type SubscribeOptions = {
  /** Exclusive: deliver events after this position. Default: from the start. */
  after?: Position;
  filter?: EventFilter;
  /** Events fetched per read while catching up; bounds the memory a subscription holds. Default 500. */
  batchSize?: number;
  /** As ReadAllOptions' `lazyMetadata`: for consumers that seldom read metadata (projections). Default false. */
  lazyMetadata?: boolean;
};

/**
 * A catch-up subscription: everything after `after`, then live events, in position order, with no
 * gap and no duplicate across the switch. Pull-based, so a slow consumer holds at most one batch.
 */
export interface EventSubscription extends AsyncIterableIterator<RecordedEvent> {
  /** Position of the last event delivered, or the starting point. */
  readonly position: Position | undefined;
  /**
   * How far the log has been delivered or passed over by the filter: what a consumer saves once it
   * has handled everything `nextBatch` gave it.
   */
  readonly checkpoint: Position | undefined;
  /** The events available now, at most `max` (at least one: waits while there are none); [] once closed. */
  nextBatch(max?: number): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

/** What a store has written since it opened, for /metrics. */
export type StoreStats = {
  /** Appends acknowledged (retries included). */
  appends: number;
  /** Events written. */
  events: number;
  /** Transactions committed: appends / transactions is the group-commit factor. */
  transactions: number;
};

export type ChainBreak = {
  /** The first revision at which the chain does not hold. */
  revision: number;
  eventId: string | undefined;
  reason: 'altered' | 'removed' | 'reordered';
  detail: string;
};

export type VerifyResult =
  | { ok: true; streamId: string; events: number; headHash: string }
  | { ok: false; streamId: string; events: number; break: ChainBreak };

export interface EventStore {
  readonly kind: 'sqlite' | 'esdb';
  readonly stats: Readonly<StoreStats>;
  append(streamId: string, events: EventToAppend[], options?: AppendOptions): Promise<AppendResult>;
  /** An absent stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /**
   * `readAll` with each event as JSON text (`EventJson`), for a store that holds its events as text
   * (SQLite): composed from the stored text, no parse and no encoding per event. A store without it is
   * read by `readJsonPages` through `readAll`.
   */
  readAllJson?(options?: Omit<ReadAllOptions, 'raw'>): Promise<ReadAllJsonResult>;
  /**
   * Every event whose metadata carries this correlation id, across streams, in log order (upcast),
   * read from an index rather than by scanning the log. Security streams included: callers filter.
   */
  readByCorrelation(correlationId: string, options?: ReadByCorrelationOptions): Promise<RecordedEvent[]>;
  subscribe(options?: SubscribeOptions): EventSubscription;
  /** The position of the newest event, or undefined for an empty store. */
  headPosition(): Promise<Position | undefined>;
  /**
   * A mark that differs whenever the log has changed since the last call returned it, by any writer
   * (this process at once, another from the next turn of the event loop), without reading the log: what
   * a cache of something derived from the log compares (an API key's check). A store without it is
   * compared by `headPosition`.
   */
  changeMark?(): string;
  /** Reads a stream exactly as stored and checks its hash chain, naming the first altered, removed or reordered event. */
  verifyStream(streamId: string): Promise<VerifyResult>;
  close(): Promise<void>;
}

/**
 * The log after `after` (with the filter), page by page to its current end: each page carries its
 * checkpoint. The log is never held whole.
 */
export async function* readPages(store: EventStore, options: ReadAllOptions = {}): AsyncGenerator<ReadAllResult> {
  let after = options.after;
  for (;;) {
    const page = await store.readAll({ maxCount: 1000, ...options, after });
    yield page;
    after = page.checkpoint ?? after;
    if (page.isEnd) return;
  }
}

/** An event as the API shows it (the trace routes, the export): its members in this order. */
export const eventView = (e: RecordedEvent) => ({
  id: e.id,
  type: e.type,
  streamId: e.streamId,
  revision: e.revision,
  position: e.position,
  recordedAt: e.recordedAt,
  metadata: e.metadata,
  data: e.data,
});

/** An event as the JSON text of `EventJson`: `eventView`'s members in that order. */
export const eventJson = (e: RecordedEvent): string => JSON.stringify(eventView(e));

/** `readPages` with the events as JSON text: the store's own where it has it (`readAllJson`). */
export async function* readJsonPages(
  store: EventStore,
  options: Omit<ReadAllOptions, 'raw'> = {},
): AsyncGenerator<ReadAllJsonResult> {
  if (!store.readAllJson) {
    for await (const page of readPages(store, options)) {
      const events = page.events.map((e) => ({
        streamId: e.streamId,
        type: e.type,
        recordedAt: e.recordedAt,
        position: e.position,
        json: eventJson(e),
      }));
      yield { ...page, events };
    }
    return;
  }
  let after = options.after;
  for (;;) {
    const page = await store.readAllJson({ maxCount: 1000, ...options, after });
    yield page;
    after = page.checkpoint ?? after;
    if (page.isEnd) return;
  }
}

export const comparePositions = (a: Position | undefined, b: Position | undefined): number => {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
};

/** The subscription as an rxjs Observable; unsubscribing closes it. */
export const toObservable = (subscription: EventSubscription): Observable<RecordedEvent> =>
  new Observable<RecordedEvent>((subscriber) => {
    void (async () => {
      try {
        for (let next = await subscription.next(); !next.done; next = await subscription.next()) {
          if (subscriber.closed) break;
          subscriber.next(next.value);
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => void subscription.close();
  });
