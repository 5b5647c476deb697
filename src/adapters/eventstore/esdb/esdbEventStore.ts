import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  RUNNING,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position as EsdbPosition,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import type {
  AppendOptions,
  AppendResult,
  EventFilter,
  EventStore,
  StoreStats,
  EventSubscription,
  EventToAppend,
  Position,
  ReadAllOptions,
  ReadAllResult,
  ReadByCorrelationOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../../../app/eventStore';
import { comparePositions, readPages } from '../../../app/eventStore';
import { ValidationError } from '../../../domain/errors';
import { assertExpectedRevision, resolveRetry } from '../appendRules';
import { sealedMetadata, type EventCodec } from '../eventCodec';
import { GENESIS_HASH, verifyStoredStream } from '../hashChain';

export type EsdbEventStoreOptions = {
  /** e.g. `esdb://localhost:2113?tls=false`. */
  connectionString: string;
  codec: EventCodec;
  /** How many of a stream's newest events a retried append is looked for in. Default 32. */
  retryWindow?: number;
  /** How often an append re-reads the stream head after losing a race under `any`. Default 10. */
  maxConflictRetries?: number;
};

const pad = (value: bigint): string => value.toString(10).padStart(20, '0');

/** `commit/prepare`, each fixed-width, so positions order correctly as strings. */
export const encodeEsdbPosition = (position: EsdbPosition): Position =>
  `${pad(position.commit)}/${pad(position.prepare)}`;

export const decodeEsdbPosition = (position: Position): EsdbPosition => {
  const match = /^(\d{1,20})\/(\d{1,20})$/.exec(position);
  if (!match) {
    throw new ValidationError(`${JSON.stringify(position)} is not an EventStoreDB position`, [
      { path: '/after', message: 'must be a position returned by this store' },
    ]);
  }
  return { commit: BigInt(match[1] as string), prepare: BigInt(match[2] as string) };
};

const isOwnEvent = (event: EsdbRecordedEvent | undefined): event is EsdbRecordedEvent =>
  event !== undefined && event.isJson && !event.type.startsWith('$') && !event.streamId.startsWith('$');

const matches = (event: RecordedEvent, filter: EventFilter | undefined): boolean =>
  (!filter?.streamPrefixes?.length || filter.streamPrefixes.some((p) => event.streamId.startsWith(p))) &&
  (!filter?.eventTypes?.length || filter.eventTypes.includes(event.type));

/**
 * The metadata key EventStoreDB's `$by_correlation_id` system projection reads: written beside ours,
 * outside the hashed metadata, and dropped on read.
 */
const ESDB_CORRELATION = '$correlationId';
const BY_CORRELATION_PROJECTION = '$by_correlation_id';

const ourMetadata = (metadata: unknown): RecordedEvent['metadata'] => {
  const { [ESDB_CORRELATION]: _esdb, ...rest } = metadata as Record<string, unknown>;
  return rest as RecordedEvent['metadata'];
};

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const createEsdbEventStore = (options: EsdbEventStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString`${options.connectionString}`;
  const { codec } = options;
  const retryWindow = options.retryWindow ?? 32;
  const maxConflictRetries = options.maxConflictRetries ?? 10;

  const toEvent = (event: EsdbRecordedEvent, fallbackPosition?: bigint): RecordedEvent => ({
    id: event.id,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: ourMetadata(event.metadata),
    streamId: event.streamId,
    revision: Number(event.revision),
    position: event.position
      ? encodeEsdbPosition(event.position)
      : encodeEsdbPosition({ commit: fallbackPosition ?? 0n, prepare: fallbackPosition ?? 0n }),
    recordedAt: event.created.toISOString(),
  });

  const readRaw = async (
    streamId: string,
    readOptions: ReadStreamOptions & { resolveLinks?: boolean },
  ): Promise<RecordedEvent[]> => {
    const backwards = readOptions.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision:
          readOptions.fromRevision === undefined ? (backwards ? END : START) : BigInt(readOptions.fromRevision),
        ...(readOptions.maxCount === undefined ? {} : { maxCount: readOptions.maxCount }),
        ...(readOptions.resolveLinks ? { resolveLinkTos: true } : {}),
      });
      for await (const resolved of read) {
        if (readOptions.resolveLinks ? isOwnEvent(resolved.event) : resolved.event?.isJson)
          events.push(toEvent(resolved.event as EsdbRecordedEvent, resolved.commitPosition));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  };

  const stats: StoreStats = { appends: 0, events: 0, transactions: 0 };
  const append = async (
    streamId: string,
    events: EventToAppend[],
    appendOptions: AppendOptions = {},
  ): Promise<AppendResult> => {
    const prepared = codec.prepare(streamId, events);
    const expected = appendOptions.expectedRevision ?? 'any';
    // The chain needs the previous hash, so every write names the exact revision it follows; a
    // lost race under 'any' reads the head again.
    for (let attempt = 0; ; attempt += 1) {
      const newest = await readRaw(streamId, { direction: 'backwards', maxCount: retryWindow + prepared.length });
      const byId = new Map(newest.map((event) => [event.id, event]));
      const retried = resolveRetry(
        codec,
        streamId,
        prepared,
        prepared.map((event) => byId.get(event.id)),
      );
      if (retried) return retried;
      const head = newest[0];
      assertExpectedRevision(streamId, expected, head?.revision);
      const firstRevision = head ? head.revision + 1 : 0;
      const sealed = codec.seal(streamId, prepared, firstRevision, head?.metadata.hash ?? GENESIS_HASH);
      try {
        const result = await client.appendToStream(
          streamId,
          sealed.map((event) =>
            jsonEvent({
              id: event.id,
              type: event.type,
              data: event.data,
              metadata: { ...sealedMetadata(event), [ESDB_CORRELATION]: event.unsealed.correlationId },
            }),
          ),
          { expectedRevision: head ? BigInt(head.revision) : NO_STREAM },
        );
        const position = result.position ?? { commit: 0n, prepare: 0n };
        return { nextExpectedRevision: Number(result.nextExpectedRevision), position: encodeEsdbPosition(position) };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < maxConflictRetries) continue;
        throw error;
      }
    }
  };

  const readAll = async (readOptions: ReadAllOptions = {}): Promise<ReadAllResult> => {
    const maxCount = readOptions.maxCount ?? 1000;
    const scanLimit = maxCount * 10;
    const events: RecordedEvent[] = [];
    let checkpoint = readOptions.after;
    let scanned = 0;
    // $all cannot be filtered server-side on a read, only on a subscription: filter here, bounded
    const read = client.readAll({
      fromPosition: readOptions.after ? decodeEsdbPosition(readOptions.after) : START,
      direction: FORWARDS,
      maxCount: scanLimit + 1,
    });
    for await (const resolved of read) {
      const raw = resolved.event;
      if (!raw?.position) continue;
      const position = encodeEsdbPosition(raw.position);
      if (comparePositions(position, readOptions.after) <= 0) continue;
      scanned += 1;
      checkpoint = position;
      if (isOwnEvent(raw)) {
        const event = readOptions.raw ? toEvent(raw) : codec.upcast(toEvent(raw));
        if (matches(event, readOptions.filter)) events.push(event);
      }
      if (events.length >= maxCount || scanned >= scanLimit) {
        await read.cancel();
        return { events, checkpoint, isEnd: false };
      }
    }
    return { events, checkpoint, isEnd: true };
  };

  /**
   * From the `$bc-<correlationId>` stream of the `$by_correlation_id` system projection (links
   * resolved) when that projection runs: an index kept by the server, behind the log by the
   * projection's lag. Without it (projections off, as in docker-compose.yml), a scan of $all.
   */
  const readByCorrelation = async (
    correlationId: string,
    readOptions: ReadByCorrelationOptions = {},
  ): Promise<RecordedEvent[]> => {
    const limit = readOptions.limit ?? Number.POSITIVE_INFINITY;
    const { after } = readOptions;
    if (after !== undefined) decodeEsdbPosition(after);
    const indexed = await client.getProjectionStatus(BY_CORRELATION_PROJECTION).then(
      (details) => details.projectionStatus === RUNNING,
      () => false,
    );
    if (indexed) {
      // a page after a position: the $bc- stream's revisions are not the log's positions, so it is read from its start
      const events = await readRaw(`$bc-${correlationId}`, {
        ...(Number.isFinite(limit) && after === undefined ? { maxCount: limit } : {}),
        resolveLinks: true,
      });
      const wanted = after === undefined ? events : events.filter((e) => comparePositions(e.position, after) > 0);
      return wanted.slice(0, limit).map((event) => codec.upcast(event));
    }
    const found: RecordedEvent[] = [];
    for await (const page of readPages(store, after === undefined ? {} : { after })) {
      for (const event of page.events) if (event.metadata.correlationId === correlationId) found.push(event);
      if (found.length >= limit) return found.slice(0, limit);
    }
    return found;
  };

  const subscribe = (subscribeOptions: SubscribeOptions = {}): EventSubscription => {
    const filter = subscribeOptions.filter;
    const serverFilter = filter?.streamPrefixes?.length
      ? streamNameFilter({ prefixes: filter.streamPrefixes })
      : filter?.eventTypes?.length
        ? eventTypeFilter({ regex: `^(${filter.eventTypes.map(escapeRegex).join('|')})$` })
        : excludeSystemEvents();
    const source = client.subscribeToAll(
      {
        fromPosition: subscribeOptions.after ? decodeEsdbPosition(subscribeOptions.after) : START,
        filter: serverFilter,
      },
      { highWaterMark: subscribeOptions.batchSize ?? 500 },
    );
    const iterator = source[Symbol.asyncIterator]() as AsyncIterator<AllStreamResolvedEvent>;
    let delivered = subscribeOptions.after;
    let closed = false;
    const done = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await source.unsubscribe();
    };
    const nextEvent = async (): Promise<RecordedEvent | undefined> => {
      while (!closed) {
        const next = await iterator.next();
        if (next.done) return undefined;
        const raw = next.value.event;
        if (!isOwnEvent(raw) || !raw.position) continue;
        const event = codec.upcast(toEvent(raw));
        if (comparePositions(event.position, delivered) <= 0 || !matches(event, filter)) continue;
        delivered = event.position;
        return event;
      }
      return undefined;
    };
    return {
      get position() {
        return delivered;
      },
      get checkpoint() {
        return delivered;
      },
      async next() {
        const event = await nextEvent();
        return event ? { done: false, value: event } : done();
      },
      async nextBatch(max = Number.POSITIVE_INFINITY) {
        const first = await nextEvent();
        if (!first) return [];
        const batch = [first];
        // what the client has already buffered comes without waiting
        while (batch.length < max && source.readableLength > 0) {
          const event = await nextEvent();
          if (!event) break;
          batch.push(event);
        }
        return batch;
      },
      async return() {
        await close();
        return done();
      },
      close,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };

  const store: EventStore = {
    kind: 'esdb',
    stats,
    async append(streamId, events, appendOptions) {
      const result = await append(streamId, events, appendOptions);
      stats.appends += 1;
      stats.transactions += 1;
      stats.events += events.length;
      return result;
    },
    verifyStream: (streamId) => verifyStoredStream((id) => readRaw(id, {}), streamId),
    async readStream(streamId, readOptions = {}) {
      const events = await readRaw(streamId, readOptions);
      return readOptions.raw ? events : events.map((event) => codec.upcast(event));
    },
    readAll,
    readByCorrelation,
    subscribe,
    async headPosition() {
      for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
        if (resolved.event?.position) return encodeEsdbPosition(resolved.event.position);
      }
      return undefined;
    },
    async close() {
      await client.dispose();
    },
  };
  return store;
};
