import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StoreStats,
  SubscribeOptions,
} from '../../../app/eventStore';
import { ValidationError, WrongExpectedRevisionError } from '../../../domain/errors';
import { assertExpectedRevision, resolveRetry } from '../appendRules';
import type { EventCodec, PreparedEvent, SealedEvent } from '../eventCodec';
import { GENESIS_HASH, verifyStoredStream } from '../hashChain';
import { AppendSignal, createPollingSubscription } from '../pollingSubscription';
import { EVENT_LOG_DDL, openDurable, toPosition } from './schema';

export type SqliteEventStoreOptions = {
  /** The database file; its folder is created. */
  path: string;
  codec: EventCodec;
  /** How often a live subscription looks for events appended by another process. Default 200 ms. */
  pollIntervalMs?: number;
  /** The most appends grouped into one transaction. Default 1000. */
  maxBatch?: number;
};

type Row = {
  position: number;
  stream_id: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

type PendingAppend = {
  streamId: string;
  events: PreparedEvent[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

const COLUMNS = 'position, stream_id, revision, id, type, data, metadata, recorded_at';

const parsePosition = (position: string): number => {
  if (!/^\d{1,20}$/.test(position)) {
    throw new ValidationError(`${JSON.stringify(position)} is not a position of this store`, [
      { path: '/after', message: 'must be a position returned by this store' },
    ]);
  }
  return Number(position);
};

/** Whether the log's positions run 1..last with none missing. */
export type ContinuityResult =
  { ok: true; events: number } | { ok: false; events: number; missingPosition: string; detail: string };

export type SqliteEventStore = EventStore & {
  readonly db: Database.Database;
  /** Finds an event deleted anywhere in the log, which a stream's own chain cannot show at its tail. */
  checkContinuity(): Promise<ContinuityResult>;
  /** Live subscriptions not yet closed. */
  readonly openSubscriptions: number;
};

export const createSqliteEventStore = (options: SqliteEventStoreOptions): SqliteEventStore => {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  openDurable(db);
  db.exec(EVENT_LOG_DDL);
  const { codec } = options;
  const maxBatch = options.maxBatch ?? 1000;
  const signal = new AppendSignal();
  const stats: StoreStats = { appends: 0, events: 0, transactions: 0 };

  const statements = {
    head: db.prepare<[string], { revision: number; hash: string }>(
      "SELECT revision, json_extract(metadata, '$.hash') AS hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1",
    ),
    insert: db.prepare(
      'INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    byId: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM events WHERE id = ?`),
    forwards: db.prepare<[string, number, number], Row>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    backwards: db.prepare<[string, number, number], Row>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
    asWritten: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY position`),
    maxPosition: db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM events'),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
    sequence: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
    firstGap: db.prepare<[], { missing: number }>(
      'SELECT e.position + 1 AS missing FROM events e WHERE NOT EXISTS (SELECT 1 FROM events n WHERE n.position = e.position + 1) ORDER BY e.position LIMIT 1',
    ),
    first: db.prepare<[], { p: number | null }>('SELECT min(position) AS p FROM events'),
  };
  const readAllStatements = new Map<string, Database.Statement<unknown[], Row>>();

  const toEvent = (row: Row): RecordedEvent => ({
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
    streamId: row.stream_id,
    revision: row.revision,
    position: toPosition(row.position),
    recordedAt: row.recorded_at,
  });

  const findRetried = (request: PendingAppend): AppendResult | undefined =>
    resolveRetry(
      codec,
      request.streamId,
      request.events,
      request.events.map((event) => {
        const row = statements.byId.get(event.id);
        return row && toEvent(row);
      }),
    );

  /** Thrown before any write when an event id is already stored: a retry, or a conflict. */
  class IdAlreadyStored extends Error {}

  /**
   * One append. Every refusal (revision, known id) is decided before its first write, so a refused
   * append leaves nothing behind and the group's transaction needs no savepoints.
   */
  const writeAppend = (request: PendingAppend, recordedAt: string): AppendResult => {
    const head = staged.get(request.streamId) ?? heads.get(request.streamId) ?? statements.head.get(request.streamId);
    assertExpectedRevision(request.streamId, request.expected, head?.revision);
    for (const event of request.events) {
      if (statements.byId.get(event.id)) throw new IdAlreadyStored();
    }
    const firstRevision = head ? head.revision + 1 : 0;
    const sealed = codec.seal(request.streamId, request.events, firstRevision, head?.hash ?? GENESIS_HASH);
    let position = 0;
    for (const [offset, event] of sealed.entries()) {
      const info = statements.insert.run(
        request.streamId,
        firstRevision + offset,
        event.id,
        event.type,
        event.dataJson,
        event.metadataJson,
        recordedAt,
      );
      position = Number(info.lastInsertRowid);
    }
    const lastRevision = firstRevision + sealed.length - 1;
    staged.set(request.streamId, {
      revision: lastRevision,
      hash: (sealed[sealed.length - 1] as SealedEvent).metadata.hash,
    });
    return { nextExpectedRevision: lastRevision, position: toPosition(position) };
  };

  /** A refused append may be a retry of one already stored; otherwise the refusal stands. */
  const settle = (request: PendingAppend, error: unknown): Outcome => {
    if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof IdAlreadyStored))
      return { ok: false, error };
    try {
      const retried = findRetried(request);
      if (retried) return { ok: true, result: retried };
      return { ok: false, error };
    } catch (conflict) {
      return { ok: false, error: conflict };
    }
  };

  /*
   * Stream heads this process wrote, so an append need not read its stream's last row. Valid while
   * no other connection has committed: data_version changes when one has (read under the write
   * lock, so none can commit meanwhile). Heads of a transaction are kept only once it commits.
   */
  const heads = new Map<string, { revision: number; hash: string }>();
  const staged = new Map<string, { revision: number; hash: string }>();
  let seenDataVersion: unknown;
  const dataVersion = db.prepare('PRAGMA data_version').pluck();

  const writeGroup = db.transaction((group: PendingAppend[]): Outcome[] => {
    const version = dataVersion.get();
    if (version !== seenDataVersion || heads.size > 100_000) heads.clear();
    seenDataVersion = version;
    staged.clear();
    const recordedAt = new Date().toISOString();
    return group.map((request): Outcome => {
      try {
        return { ok: true, result: writeAppend(request, recordedAt) };
      } catch (error) {
        return settle(request, error);
      }
    });
  });

  let queue: PendingAppend[] = [];
  let flushScheduled = false;
  let drained: Promise<void> = Promise.resolve();
  let markDrained: () => void = () => undefined;

  const flush = (): void => {
    flushScheduled = false;
    while (queue.length > 0) {
      const group = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      let outcomes: Outcome[];
      try {
        outcomes = writeGroup.immediate(group);
      } catch (error) {
        for (const request of group) request.reject(error);
        continue;
      }
      for (const [streamId, head] of staged) heads.set(streamId, head);
      // the transaction has committed (and synced): every outcome is final and durable
      stats.transactions += 1;
      soloStreak = group.length === 1 ? soloStreak + 1 : 0;
      for (const [index, request] of group.entries()) {
        const outcome = outcomes[index] as Outcome;
        if (outcome.ok) {
          stats.appends += 1;
          stats.events += request.events.length;
          request.resolve(outcome.result);
        } else request.reject(outcome.error);
      }
      signal.notify();
    }
    markDrained();
  };

  /*
   * When to commit. Waiting for the loop's check phase (setImmediate) lets appends from many I/O
   * callbacks, concurrent HTTP requests say, share one transaction; committing at the next
   * microtask spares a lone writer that wait. So: while commits keep going out alone, up to
   * SOLO_COMMITS_PER_TURN of them commit at once in each loop turn; as soon as a group forms, one
   * per turn does and the rest are grouped. Either way the loop turns, so other I/O is served.
   */
  const SOLO_COMMITS_PER_TURN = 16;
  let soloStreak = 0;
  let commitsThisTurn = 0;
  const scheduleFlush = (): void => {
    const budget = soloStreak >= 4 ? SOLO_COMMITS_PER_TURN : 0;
    if (commitsThisTurn >= budget) {
      setImmediate(flush);
      return;
    }
    if (commitsThisTurn === 0) setImmediate(() => (commitsThisTurn = 0));
    commitsThisTurn += 1;
    queueMicrotask(flush);
  };

  let closed = false;
  const subscriptions = new Set<EventSubscription>();

  const store: SqliteEventStore = {
    kind: 'sqlite',
    db,
    stats,
    get openSubscriptions() {
      return subscriptions.size;
    },
    append(streamId: string, events: EventToAppend[], appendOptions: AppendOptions = {}) {
      if (closed) return Promise.reject(new Error('the event store is closed'));
      let prepared: PreparedEvent[];
      try {
        prepared = codec.prepare(streamId, events);
      } catch (error) {
        return Promise.reject(error);
      }
      const expected = appendOptions.expectedRevision ?? 'any';
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ streamId, events: prepared, expected, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          drained = new Promise((resolveDrained) => (markDrained = resolveDrained));
          scheduleFlush();
        }
      });
    },

    async readStream(streamId: string, readOptions: ReadStreamOptions = {}) {
      if (readOptions.raw) return statements.asWritten.all(streamId).map(toEvent);
      const limit = readOptions.maxCount ?? -1;
      const rows =
        readOptions.direction === 'backwards'
          ? statements.backwards.all(streamId, readOptions.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
          : statements.forwards.all(streamId, readOptions.fromRevision ?? 0, limit);
      return rows.map((row) => codec.upcast(toEvent(row)));
    },

    async readAll(readOptions: ReadAllOptions = {}): Promise<ReadAllResult> {
      const after = readOptions.after === undefined ? 0 : parsePosition(readOptions.after);
      const maxCount = readOptions.maxCount ?? 1000;
      const prefixes = readOptions.filter?.streamPrefixes ?? [];
      const types = readOptions.filter?.eventTypes ?? [];
      const key = `${prefixes.length}:${types.length}`;
      let statement = readAllStatements.get(key);
      if (!statement) {
        const clauses = ['position > ?'];
        if (prefixes.length > 0) clauses.push(`(${prefixes.map(() => 'substr(stream_id, 1, ?) = ?').join(' OR ')})`);
        if (types.length > 0) clauses.push(`type IN (${types.map(() => '?').join(', ')})`);
        statement = db.prepare<unknown[], Row>(
          `SELECT ${COLUMNS} FROM events WHERE ${clauses.join(' AND ')} ORDER BY position LIMIT ?`,
        );
        readAllStatements.set(key, statement);
      }
      const params = [after, ...prefixes.flatMap((p) => [p.length, p]), ...types, maxCount];
      const read = db.transaction(() => {
        const rows = statement.all(...params);
        const head = rows.length < maxCount ? (statements.maxPosition.get()?.p ?? null) : null;
        return { rows, head };
      });
      const { rows, head } = read();
      const events = rows.map((row) => codec.upcast(toEvent(row)));
      const lastRow = rows[rows.length - 1];
      const isEnd = rows.length < maxCount;
      const reached = isEnd ? Math.max(head ?? 0, after) : (lastRow as Row).position;
      return { events, checkpoint: reached > 0 ? toPosition(reached) : readOptions.after, isEnd };
    },

    subscribe(subscribeOptions: SubscribeOptions = {}) {
      const subscription = createPollingSubscription(
        {
          readAll: (o) => store.readAll(o),
          signal,
          pollIntervalMs: options.pollIntervalMs ?? 200,
          onClose: () => subscriptions.delete(subscription),
        },
        subscribeOptions,
      );
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition() {
      const p = statements.maxPosition.get()?.p;
      return p ? toPosition(p) : undefined;
    },

    verifyStream: (streamId) => verifyStoredStream(async (id) => statements.asWritten.all(id).map(toEvent), streamId),

    async checkContinuity(): Promise<ContinuityResult> {
      const events = statements.count.get()?.n ?? 0;
      const last = statements.sequence.get()?.seq ?? 0;
      const first = statements.first.get()?.p ?? null;
      if (events === last) return { ok: true, events };
      const missing = first !== null && first > 1 ? 1 : (statements.firstGap.get()?.missing ?? 1);
      return {
        ok: false,
        events,
        missingPosition: toPosition(missing),
        detail: `${last - events} of ${last} positions are missing; the first is ${missing}`,
      };
    },

    async close() {
      closed = true;
      await drained;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      db.close();
    },
  };
  return store;
};
