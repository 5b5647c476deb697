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
  SubscribeOptions,
} from '../../../app/eventStore';
import { EventIdConflictError, ValidationError, WrongExpectedRevisionError } from '../../../domain/errors';
import type { EventCodec, PreparedEvent } from '../eventCodec';
import { GENESIS_HASH, type StreamHeadSource } from '../hashChain';
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

const isUniqueIdViolation = (error: unknown): boolean =>
  error instanceof Error &&
  (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
  error.message.includes('events.id');

export type SqliteEventStore = EventStore & Required<StreamHeadSource> & { readonly db: Database.Database };

export const createSqliteEventStore = (options: SqliteEventStoreOptions): SqliteEventStore => {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  openDurable(db);
  db.exec(EVENT_LOG_DDL);
  const { codec } = options;
  const maxBatch = options.maxBatch ?? 1000;
  const signal = new AppendSignal();

  const statements = {
    head: db.prepare<[string], { revision: number; hash: string }>('SELECT revision, hash FROM streams WHERE stream_id = ?'),
    setHead: db.prepare(
      'INSERT INTO streams (stream_id, revision, hash) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, hash = excluded.hash',
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

  /** A retried append finds its own events already stored: answer as the first time, write nothing. */
  const findRetried = (request: PendingAppend): AppendResult | undefined => {
    const rows = request.events.map((event) => statements.byId.get(event.id));
    if (rows.every((row) => row === undefined)) return undefined;
    const first = rows[0];
    for (const [offset, row] of rows.entries()) {
      const prepared = request.events[offset] as PreparedEvent;
      const sameWrite =
        row !== undefined &&
        first !== undefined &&
        row.stream_id === request.streamId &&
        row.revision === first.revision + offset &&
        codec.sameContent(toEvent(row), prepared);
      if (!sameWrite) {
        const reason = row === undefined ? 'the append was only partly stored before' : row.stream_id !== request.streamId
          ? `the id is already used in stream ${row.stream_id}`
          : 'the id is already used for an event with other content';
        throw new EventIdConflictError(prepared.id, request.streamId, reason);
      }
    }
    const last = rows[rows.length - 1] as Row;
    return { nextExpectedRevision: last.revision, position: toPosition(last.position) };
  };

  const checkExpected = (request: PendingAppend, current: number | undefined): void => {
    const { expected } = request;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'number' && current === expected);
    if (!ok) throw new WrongExpectedRevisionError(request.streamId, expected, current ?? 'no_stream');
  };

  /** One append inside the group's transaction; runs in a savepoint so a failure undoes only it. */
  const writeOne = db.transaction((request: PendingAppend, recordedAt: string): AppendResult => {
    const head = statements.head.get(request.streamId);
    checkExpected(request, head?.revision);
    const firstRevision = head ? head.revision + 1 : 0;
    const sealed = codec.seal(request.streamId, request.events, firstRevision, head?.hash ?? GENESIS_HASH);
    let position = 0;
    for (const [offset, event] of sealed.entries()) {
      const info = statements.insert.run(
        request.streamId,
        firstRevision + offset,
        event.id,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        recordedAt,
      );
      position = Number(info.lastInsertRowid);
    }
    const last = sealed[sealed.length - 1];
    const lastRevision = firstRevision + sealed.length - 1;
    statements.setHead.run(request.streamId, lastRevision, last?.metadata.hash);
    return { nextExpectedRevision: lastRevision, position: toPosition(position) };
  });

  const writeGroup = db.transaction((group: PendingAppend[]): Outcome[] => {
    const recordedAt = new Date().toISOString();
    return group.map((request): Outcome => {
      try {
        return { ok: true, result: writeOne(request, recordedAt) };
      } catch (error) {
        const retriable = error instanceof WrongExpectedRevisionError || isUniqueIdViolation(error);
        if (!retriable) return { ok: false, error };
        try {
          const retried = findRetried(request);
          return retried ? { ok: true, result: retried } : { ok: false, error };
        } catch (conflict) {
          return { ok: false, error: conflict };
        }
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
      // the transaction has committed (and synced): every outcome is final and durable
      for (const [index, request] of group.entries()) {
        const outcome = outcomes[index] as Outcome;
        if (outcome.ok) request.resolve(outcome.result);
        else request.reject(outcome.error);
      }
      signal.notify();
    }
    markDrained();
  };

  let closed = false;
  const subscriptions = new Set<EventSubscription>();

  const store: SqliteEventStore = {
    kind: 'sqlite',
    db,
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
          // setImmediate, not a microtask: appends arriving from other I/O callbacks join the group
          setImmediate(flush);
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
        const rows = (statement as Database.Statement<unknown[], Row>).all(...params);
        const head = rows.length < maxCount ? statements.maxPosition.get()?.p ?? null : null;
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
        { readAll: (o) => store.readAll(o), signal, pollIntervalMs: options.pollIntervalMs ?? 200 },
        subscribeOptions,
      );
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition() {
      const p = statements.maxPosition.get()?.p;
      return p ? toPosition(p) : undefined;
    },

    async streamHead(streamId: string) {
      return statements.head.get(streamId);
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
