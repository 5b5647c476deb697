import { retryUntilDone } from '../lib/retry';
import {
  comparePositions,
  type EventStore,
  type Position,
  type RecordedDomainEvent,
  type RecordedEvent,
} from '../app/eventStore';
import type { DomainEventType } from '../domain/aggregates';
import type { Logger } from '../lib/logger';
import type { CollectionSpec, Document, ReadStore, Write } from '../app/readStore';

/** What `peek` answers for a document only the read store can tell about (`get` reads it). */
export const UNREAD: unique symbol = Symbol('unread');

/**
 * What `update` returns when it is done at once (the document was in memory): a handler may return it
 * as its own result, and the runner does not await it. A rebuild applies about a million events and
 * each await cost a suspended frame and a promise per event and projection.
 */
export const DONE: Promise<void> = Promise.resolve();

/** Runs `next` after `step`: at once when `step` is done (DONE or nothing), else once it settles. */
export const andThen = (step: Promise<void> | void, next: () => Promise<void> | void): Promise<void> | void =>
  step === undefined || step === DONE ? next() : step.then(next);

/**
 * Applies `handler`, written to read first (with `peek`) and write after: at once when everything it
 * reads is in memory (always, in a rebuild); else, since it wrote nothing before `peek` answered UNREAD,
 * that document is read from the store and the handler runs again, until it applies. One piece of code
 * serves a rebuild without an await per event and a live projection whose cache holds only some documents.
 */
export const applyReading = (ctx: ProjectionContext, handler: () => void | typeof UNREAD): Promise<void> | void => {
  if (handler() !== UNREAD) return undefined;
  return (async () => {
    for (;;) {
      const missing = ctx.missing;
      if (!missing) throw new Error('a handler answered UNREAD without a document peek could not give');
      await ctx.get(missing[0], missing[1]);
      if (handler() !== UNREAD) return;
      // a context whose peek does not see what get has read would ask for the same document for ever
      const again = ctx.missing;
      if (again && again[0] === missing[0] && again[1] === missing[1])
        throw new Error(`peek does not see ${missing[0]}/${missing[1]} once read`);
    }
  })();
};

/** What a projection's handler may do while applying one event. */
export type ProjectionContext = {
  readonly event: RecordedEvent;
  /** A document as this projection last wrote it (reads its own writes within the batch). */
  get(collection: string, id: string): Promise<Document | undefined>;
  /**
   * The document as `get` would give it, without waiting, when it is in memory (undefined: it does not
   * exist); UNREAD when only the read store can tell, noted in `missing`: a handler run by `applyReading`
   * returns UNREAD then, before writing anything, and is run again once that document is read. Once a
   * handler has had a document from `peek` or `get` (or undefined from either), an `update` of it in the
   * same event is done at once and returns DONE: what is in memory stays there until the event is applied.
   */
  peek(collection: string, id: string): Document | undefined | typeof UNREAD;
  /** The document `peek` last answered UNREAD for: what `applyReading` reads before it tries again. */
  readonly missing?: readonly [collection: string, id: string];
  /**
   * Changes one document: `change` gets it (or undefined) and returns the new one, null to delete, or
   * undefined for no change. It may change the document it is given. Not called when the document
   * already reflects this event (a batch replayed after a crash).
   */
  update(
    collection: string,
    id: string,
    change: (doc: Document | undefined) => Document | null | undefined,
  ): Promise<void>;
};

/** A read model: `apply` gets the event types it lists; `switch (event.type)` narrows each one's data. */
export type Projection = {
  name: string;
  /** A new version rebuilds beside the old one and takes over when it has caught up. */
  version: number;
  collections: Record<string, CollectionSpec>;
  eventTypes: readonly DomainEventType[];
  apply(event: RecordedDomainEvent, ctx: ProjectionContext): Promise<void> | void;
};

export const namespaceOf = (projection: Projection): string => `${projection.name}_v${projection.version}`;

export type ProjectionError = { eventId: string; type: string; position: Position; message: string };

export type ProjectionStatus = {
  projection: string;
  namespace: string;
  /** `stalled`: its writes fail (a full disk) and are being retried; it resumes by itself. */
  state: 'catching-up' | 'live' | 'failed' | 'stalled' | 'stopped';
  position: Position | undefined;
  events: number;
  /** Events in the log after this projection's position (where positions count events). */
  lagEvents: number | null;
  /** How old the newest event it has applied was when it applied it, while behind; 0 when live. */
  lagSeconds: number;
  lastError: ProjectionError | null;
};

export type ProjectionGroup = {
  status(): Promise<ProjectionStatus[]>;
  /** Resolves once every member has applied (or passed) the log as it was at the call. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

type Member = {
  projection: Projection;
  namespace: string;
  types: Set<string>;
  position: Position | undefined;
  events: number;
  /** Documents by collection, then id (null: known absent); no key strings built per lookup. */
  cache: Map<string, Map<string, Document | null>>;
  cached: number;
  /** The batch's changes by collection, then id (null: deleted). */
  dirty: Map<string, Map<string, Document | null>>;
  failed: ProjectionError | null;
  /**
   * The last event it applied, kept rather than its recordedAt: a store's lazy event reads that from
   * the log when asked, which only a status does.
   */
  lastApplied: RecordedEvent | undefined;
  /** Built from empty with nothing evicted from the cache: a miss means the document does not exist. */
  cacheComplete: boolean;
};

/** Documents a member keeps in memory by default (a rebuild's: it reads every document it has written). */
const CACHE_LIMIT = 200_000;

const inner = <V>(map: Map<string, Map<string, V>>, collection: string): Map<string, V> => {
  let found = map.get(collection);
  if (!found) {
    found = new Map();
    map.set(collection, found);
  }
  return found;
};

/** Empties a full cache but for the batch's uncommitted writes, which reads must still see. */
const trimCache = (member: Member): void => {
  member.cache.clear();
  member.cached = 0;
  member.cacheComplete = false;
  for (const [collection, docs] of member.dirty) {
    member.cache.set(collection, new Map(docs));
    member.cached += docs.size;
  }
};

const clearCache = (member: Member): void => {
  member.cache.clear();
  member.cached = 0;
};

const writesOf = (member: Member): Write[] => {
  const writes: Write[] = [];
  for (const [collection, docs] of member.dirty) for (const [id, doc] of docs) writes.push({ collection, id, doc });
  return writes;
};

/**
 * How long ago an event was recorded, 0 for none; also 0 when a lazy event can no longer read its
 * time from a store closed under a status call (the figure is a report, not worth failing it for).
 */
const secondsSinceRecorded = (event: RecordedEvent | undefined): number => {
  if (event === undefined) return 0;
  try {
    return Math.max(0, (Date.now() - Date.parse(event.recordedAt)) / 1000);
  } catch {
    return 0;
  }
};

/** Positions of a store that count events (SQLite's) give a lag in events; others do not. */
const distance = (from: Position | undefined, to: Position | undefined): number | null => {
  if (to === undefined) return 0;
  if (!/^\d+$/.test(to) || (from !== undefined && !/^\d+$/.test(from))) return null;
  return Math.max(0, Number(to) - Number(from ?? 0));
};

/**
 * Runs projections over one subscription. Each has its own namespace and checkpoint and skips events
 * it has already applied; a batch's document changes and every member's checkpoint are committed
 * together. A projection that throws stops there and reports the event; it never skips it.
 */
export const startProjectionGroup = async (
  deps: { store: EventStore; readStore: ReadStore; logger: Logger },
  entries: Array<{ projection: Projection; namespace: string }>,
  options: {
    /** Events read at a time; default 2000. */
    batchSize?: number;
    /** Events applied between commits; default: every batch. Committed sooner when a batch reaches the log's head. */
    commitEvery?: number;
    /** Documents each member keeps in memory; when full, it keeps only its batch's writes. Default 200,000. */
    cacheLimit?: number;
    onBatch?: (status: { position: Position | undefined; events: number }) => void;
  } = {},
): Promise<ProjectionGroup> => {
  const members: Member[] = [];
  for (const { projection, namespace } of entries) {
    await deps.readStore.ensure(namespace, projection.collections);
    const saved = await deps.readStore.checkpoint(namespace);
    members.push({
      projection,
      namespace,
      types: new Set(projection.eventTypes),
      position: saved?.position,
      events: saved?.events ?? 0,
      cache: new Map(),
      cached: 0,
      dirty: new Map(),
      failed: null,
      lastApplied: undefined,
      cacheComplete: saved === undefined,
    });
  }
  const start = members.reduce<Position | undefined>(
    (min, m) => (min === undefined || comparePositions(m.position, min) < 0 ? m.position : min),
    members[0]?.position,
  );
  const eventTypes = [...new Set(members.flatMap((m) => [...m.types]))];
  const subscription = deps.store.subscribe({
    after: start,
    filter: { eventTypes },
    batchSize: options.batchSize ?? 2000,
    // few projections read an event's metadata: it is parsed only for those that do
    lazyMetadata: true,
  });
  let stopped = false;
  /** Events applied and not yet committed. */
  let processing = false;
  /**
   * Between commits, a member has also passed everything the subscription filtered out. Not while a
   * batch is delivered but not yet taken up (the subscription's position past the member's: the loop
   * resumes from `nextBatch` a few microtasks after the subscription has moved on, and `idle()` could
   * run between and see a fresh group caught up before it applied anything).
   */
  const effective = (m: Member): Position | undefined => {
    const unapplied = processing || comparePositions(subscription.position, m.position) > 0;
    const scanned = unapplied ? undefined : subscription.checkpoint;
    return comparePositions(scanned, m.position) > 0 ? scanned : m.position;
  };

  /** Loads a document into the member's cache (a miss in a cache that holds everything is an absence). */
  const cacheLimit = options.cacheLimit ?? CACHE_LIMIT;
  const load = async (member: Member, collection: string, id: string): Promise<Document | undefined> => {
    const doc = await deps.readStore.get(member.namespace, collection, id);
    const docs = inner(member.cache, collection);
    if (!docs.has(id)) member.cached += 1;
    docs.set(id, doc ?? null);
    return doc;
  };

  /**
   * One context per member, pointed at each event in turn: no closures made per event. A document
   * in memory (always, in a build from empty) is read and changed without awaiting anything.
   */
  const contextOf = (member: Member): ProjectionContext & { event: RecordedEvent } => {
    /** `known`: `id` is already a key of `docs` (a document or a known absence). */
    const change = (
      docs: Map<string, Document | null>,
      collection: string,
      id: string,
      current: Document | undefined,
      known: boolean,
      edit: (doc: Document | undefined) => Document | null | undefined,
    ): void => {
      const position = ctx.event.position;
      if (current?._pos !== undefined && comparePositions(current._pos, position) >= 0) return;
      const next = edit(current);
      if (next === undefined) return;
      if (!known) member.cached += 1;
      if (next !== null) {
        next._id = id;
        next._pos = position;
      }
      // a document changed in place is the cached one already
      if (next !== current || !known) docs.set(id, next);
      inner(member.dirty, collection).set(id, next);
    };
    const ctx = {
      event: undefined as unknown as RecordedEvent,
      missing: undefined as readonly [collection: string, id: string] | undefined,
      peek(collection: string, id: string): Document | undefined | typeof UNREAD {
        const cached = member.cache.get(collection)?.get(id);
        if (cached !== undefined) return cached ?? undefined;
        if (member.cacheComplete) return undefined;
        ctx.missing = [collection, id];
        return UNREAD;
      },
      get(collection: string, id: string): Promise<Document | undefined> {
        const docs = member.cache.get(collection);
        const cached = docs?.get(id);
        if (cached !== undefined) return Promise.resolve(cached ?? undefined);
        if (member.cacheComplete || docs?.has(id)) return Promise.resolve(undefined);
        return load(member, collection, id);
      },
      update(
        collection: string,
        id: string,
        edit: (doc: Document | undefined) => Document | null | undefined,
      ): Promise<void> {
        const docs = inner(member.cache, collection);
        const cached = docs.get(id);
        if (cached !== undefined) {
          change(docs, collection, id, cached ?? undefined, true, edit);
          return DONE;
        }
        const known = docs.has(id);
        if (known || member.cacheComplete) {
          change(docs, collection, id, undefined, known, edit);
          return DONE;
        }
        return load(member, collection, id).then((doc) =>
          change(inner(member.cache, collection), collection, id, doc, true, edit),
        );
      },
    };
    return ctx;
  };
  /** The members that take each event type, in the members' order. */
  const handlersOf = new Map<string, Array<{ member: Member; ctx: ProjectionContext & { event: RecordedEvent } }>>();
  for (const member of members) {
    const ctx = contextOf(member);
    for (const type of member.types) {
      const list = handlersOf.get(type) ?? [];
      list.push({ member, ctx });
      handlersOf.set(type, list);
    }
  }

  const fail = (member: Member, event: RecordedEvent, error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    member.failed = { eventId: event.id, type: event.type, position: event.position, message };
    member.dirty.clear();
    clearCache(member);
    member.cacheComplete = false;
    deps.logger.error('projection stopped on an event', {
      projection: member.namespace,
      event: event.id,
      type: event.type,
      position: event.position,
      error,
    });
  };

  let stalledBy: string | undefined;
  /** Commits every member's changes since the last commit with its checkpoint at `reached`. */
  const commit = async (reached: Position): Promise<void> => {
    const commits = members
      .filter((m) => !m.failed && comparePositions(reached, m.position) > 0)
      .map((m) => ({ namespace: m.namespace, writes: writesOf(m), position: reached, events: m.events }));
    // a commit that fails (a full disk) is retried until it goes through: the batch's writes are
    // still in memory and the transaction rolled back, so nothing is lost or applied twice
    // (tried at least once even when stopping: the batch's events were applied and must be kept)
    let first = true;
    await retryUntilDone(
      async () => {
        if (!first && stopped) return;
        first = false;
        await deps.readStore.commit(commits);
      },
      {
        stopped: () => stopped && !first,
        firstMs: 500,
        maxMs: 30_000,
        onError: (error, retryInMs) => {
          stalledBy = error instanceof Error ? error.message : String(error);
          deps.logger.error('read models cannot be written; retrying', { error, retryInMs });
        },
      },
    );
    stalledBy = undefined;
    for (const member of members) {
      if (member.failed) continue;
      member.dirty.clear();
      if (comparePositions(reached, member.position) > 0) member.position = reached;
    }
    processing = false;
    options.onBatch?.({ position: reached, events: members.reduce((sum, m) => sum + m.events, 0) });
  };

  const readSize = options.batchSize ?? 2000;
  /** Without commitEvery, every batch is committed (no look at the log's head). */
  const commitEvery = options.commitEvery ?? 0;
  const loop = (async () => {
    let uncommitted = 0;
    let reached: Position | undefined;
    while (!stopped) {
      const batch = await subscription.nextBatch(readSize);
      if (batch.length === 0) break;
      processing = true;
      for (const event of batch) {
        // only domain event types have handlers: a handled event is a domain event
        const handlers = handlersOf.get(event.type);
        if (!handlers) continue;
        const domainEvent = event as RecordedDomainEvent;
        for (const { member, ctx } of handlers) {
          if (
            member.failed ||
            (member.position !== undefined && comparePositions(event.position, member.position) <= 0)
          )
            continue;
          try {
            ctx.event = event;
            const applied = member.projection.apply(domainEvent, ctx);
            if (applied !== undefined && applied !== DONE) await applied;
            member.events += 1;
            member.lastApplied = event;
            // trimmed between events, never within one: what a handler has read stays in memory
            // until its event is applied (ProjectionContext.peek)
            if (member.cached >= cacheLimit) trimCache(member);
          } catch (error) {
            fail(member, event, error);
          }
        }
      }
      reached = subscription.checkpoint ?? (batch[batch.length - 1] as RecordedEvent).position;
      uncommitted += batch.length;
      // a batch is kept in memory with the next ones until enough have gathered, unless it reached the
      // log's head (then it is committed before waiting for appends)
      if (uncommitted < commitEvery && comparePositions(reached, await deps.store.headPosition()) < 0) continue;
      uncommitted = 0;
      await commit(reached);
    }
    if (processing && reached !== undefined) await commit(reached);
  })().catch((error: unknown) => {
    deps.logger.error('projection group stopped', { error });
  });

  const group: ProjectionGroup = {
    async status() {
      const head = await deps.store.headPosition();
      return members.map((m) => {
        const lagEvents = distance(effective(m), head);
        const behind = lagEvents === null ? comparePositions(effective(m), head) < 0 : lagEvents > 0;
        return {
          projection: m.projection.name,
          namespace: m.namespace,
          state: m.failed ? 'failed' : stopped ? 'stopped' : stalledBy ? 'stalled' : behind ? 'catching-up' : 'live',
          position: m.position,
          events: m.events,
          lagEvents,
          lagSeconds: behind ? secondsSinceRecorded(m.lastApplied) : 0,
          lastError: m.failed,
        };
      });
    },
    async idle() {
      const head = await deps.store.headPosition();
      const done = (): boolean => members.every((m) => m.failed || comparePositions(effective(m), head) >= 0);
      while (!done() && !stopped) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    async stop() {
      stopped = true;
      await subscription.close();
      await loop;
    },
  };
  return group;
};
