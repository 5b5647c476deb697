import type Database from 'better-sqlite3';
import {
  eventJson,
  type EventJson,
  type Position,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadAllJsonResult,
  type ReadByCorrelationOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type VerifyResult,
} from '../../../app/eventStore';
import { ValidationError } from '../../../domain/errors';
import type { EventCodec } from '../eventCodec';
import { createTextChainCheck, verifyStoredText, type StoredText } from '../hashChain';
import { toPosition } from './schema';

export type Row = {
  position: number;
  stream_id: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

/** Whether the log's positions run 1..last with none missing. */
export type ContinuityResult =
  { ok: true; events: number } | { ok: false; events: number; missingPosition: string; detail: string };

export const COLUMNS = 'position, stream_id, revision, id, type, data, metadata, recorded_at';

/**
 * What a lazy read (`lazyMetadata`) takes of a row: its position, type and data, what projections
 * apply. The rest (stream, revision, id, time recorded, metadata) is read by position when first asked
 * for: no read model reads them but quality's worklists (the metadata of a few quality event types),
 * and the runner only for a failure or a status. Selected anyway, they made four strings per event
 * (the metadata alone about 320 of an event's 460 characters) that lived as long as its page of
 * 2,000 events, so every young-generation collection copied them.
 */
const LAZY_COLUMNS = 'position, type, data';

/**
 * What `readAllJson` reads of a row: the event as `eventJson` writes it, composed by SQLite from the
 * stored text (json_quote escapes as JSON.stringify does; positions padded as `toPosition` pads them).
 */
const JSON_COLUMNS = `position, stream_id, type, recorded_at, '{"id":' || json_quote(id) || ',"type":' || json_quote(type) ||
  ',"streamId":' || json_quote(stream_id) || ',"revision":' || revision || ',"position":"' || printf('%020d', position) ||
  '","recordedAt":' || json_quote(recorded_at) || ',"metadata":' || metadata || ',"data":' || data || '}'`;

/** A row of `JSON_COLUMNS` read with `.raw()`. */
type JsonRow = [number, string, string, string, string];

const parsePosition = (position: string): number => {
  if (!/^\d{1,20}$/.test(position)) {
    throw new ValidationError(`${JSON.stringify(position)} is not a position of this store`, [
      { path: '/after', message: 'must be a position returned by this store' },
    ]);
  }
  return Number(position);
};

/** A row of `COLUMNS` read with `.raw()`: values in column order, no object built per row. */
type RawRow = [number, string, number, string, string, string, string, string];

/** A row of `LAZY_COLUMNS` read with `.raw()`. */
type LazyRow = [position: number, type: string, data: string];

/** What a lazy event reads of its row when first asked for more than its position, type and data. */
type RestRow = Pick<Row, 'stream_id' | 'revision' | 'id' | 'recorded_at' | 'metadata'>;

const storedEvent = (
  ...[position, streamId, revision, id, type, data, metadata, recordedAt]: RawRow
): RecordedEvent => ({
  id,
  type,
  data: JSON.parse(data) as Record<string, unknown>,
  metadata: JSON.parse(metadata) as RecordedEvent['metadata'],
  streamId,
  revision,
  position: toPosition(position),
  recordedAt,
});

/** A stored row as an event, exactly as written (no upcasting). */
export const toEvent = (row: Row): RecordedEvent =>
  storedEvent(row.position, row.stream_id, row.revision, row.id, row.type, row.data, row.metadata, row.recorded_at);

const rawToEvent = (row: RawRow): RecordedEvent => storedEvent(...row);

/**
 * An event of which only the position, type and data were read: the rest is read from the log by
 * position when first asked for, and the metadata parsed then. The log never changes what it holds at
 * a position, so what is read later is what the event was stored with. The rest are getters of the
 * class, so a copy made by spreading (`{ ...event }`) lacks them; only consumers that ask for lazy
 * events (the projections) get these, and they read them while the store is open.
 */
class LazyEvent {
  readonly position: string;
  readonly #at: number;
  readonly #restAt: (position: number) => RestRow;
  #rest: RestRow | undefined;
  #metadata: RecordedEvent['metadata'] | undefined;

  constructor(
    at: number,
    readonly type: string,
    readonly data: Record<string, unknown>,
    restAt: (position: number) => RestRow,
  ) {
    this.position = toPosition(at);
    this.#at = at;
    this.#restAt = restAt;
  }

  #row(): RestRow {
    return (this.#rest ??= this.#restAt(this.#at));
  }

  get id(): string {
    return this.#row().id;
  }

  get streamId(): string {
    return this.#row().stream_id;
  }

  get revision(): number {
    return this.#row().revision;
  }

  get recordedAt(): string {
    return this.#row().recorded_at;
  }

  get metadata(): RecordedEvent['metadata'] {
    return (this.#metadata ??= JSON.parse(this.#row().metadata) as RecordedEvent['metadata']);
  }
}

/** What `verifyStream` reads of a row, in column order. */
type ChainRow = [revision: number, position: number, id: string, type: string, data: string, metadata: string];

/** Events a verification reads at a time: between pages, other work gets the event loop. */
const VERIFY_PAGE = 4096;

/** A row's text, as the writer hashed it. */
const asStoredText = (row: Row): StoredText => ({
  streamId: row.stream_id,
  revision: row.revision,
  id: row.id,
  type: row.type,
  dataJson: row.data,
  metadataJson: row.metadata,
});

export type SqliteReads = ReturnType<typeof createSqliteReads>;

/**
 * `visibleUpTo`: the last position the log's readers see (`readAll`, `readAllJson`,
 * `readByCorrelation`, `headPosition`): the events after it are committed but not yet on disk. A
 * stream read (what a command decides on, what a retry is compared with) sees every commit.
 */
export const createSqliteReads = (
  db: Database.Database,
  codec: EventCodec,
  visibleUpTo: () => number = () => Number.MAX_SAFE_INTEGER,
) => {
  const statements = {
    byId: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM events WHERE id = ?`),
    byPosition: db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM events WHERE position = ?`),
    restAt: db.prepare<[number], RestRow>(
      'SELECT stream_id, revision, id, recorded_at, metadata FROM events WHERE position = ?',
    ),
    forwards: db.prepare<[string, number, number], Row>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    backwards: db.prepare<[string, number, number], Row>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
    asWritten: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY position`),
    // what the hash covers, in revision order from the stream's index (no sort), with the position to
    // see that revision order is the order written
    chainPage: db
      .prepare<[string, number, number], ChainRow>(
        'SELECT revision, position, id, type, data, metadata FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
      )
      .raw(true),
    maxPosition: db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM events'),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
    sequence: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
    firstGap: db.prepare<[], { missing: number }>(
      'SELECT e.position + 1 AS missing FROM events e WHERE NOT EXISTS (SELECT 1 FROM events n WHERE n.position = e.position + 1) ORDER BY e.position LIMIT 1',
    ),
    first: db.prepare<[], { p: number | null }>('SELECT min(position) AS p FROM events'),
    byCorrelation: db.prepare<[string, number, number, number], Row>(
      `SELECT ${COLUMNS} FROM events INDEXED BY events_correlation WHERE correlation_id = ? AND position > ? AND position <= ? ORDER BY position LIMIT ?`,
    ),
  };
  /** The rest of a stored event's row, for a lazy event that is asked for more than its data. */
  const restAt = (position: number): RestRow => {
    const rest = statements.restAt.get(position);
    if (rest === undefined) throw new Error(`the log holds no event at position ${toPosition(position)}`);
    return rest;
  };
  const readAllStatements = new Map<string, Database.Statement<unknown[], unknown[]>>();

  const readAllStatement = <R extends unknown[]>(
    columns: string,
    prefixes: number,
    types: number,
  ): Database.Statement<unknown[], R> => {
    const key = `${columns === COLUMNS ? 'event' : columns === LAZY_COLUMNS ? 'lazy' : 'json'}:${prefixes}:${types}`;
    let statement = readAllStatements.get(key);
    if (!statement) {
      const clauses = ['position > ?', 'position <= ?'];
      if (prefixes > 0) clauses.push(`(${Array(prefixes).fill('substr(stream_id, 1, ?) = ?').join(' OR ')})`);
      if (types > 0) clauses.push(`type IN (${Array(types).fill('?').join(', ')})`);
      statement = db
        .prepare<unknown[], R>(`SELECT ${columns} FROM events WHERE ${clauses.join(' AND ')} ORDER BY position LIMIT ?`)
        .raw(true);
      readAllStatements.set(key, statement);
    }
    return statement as Database.Statement<unknown[], R>;
  };
  // the page and the log's head in one read transaction, so an end reached is the end at that moment
  const readPage = db.transaction(
    (statement: Database.Statement<unknown[], unknown[]>, params: unknown[], maxCount: number, upTo: number) => {
      const rows = statement.all(...params);
      const head = rows.length < maxCount ? Math.min(statements.maxPosition.get()?.p ?? 0, upTo) : null;
      return { rows, head };
    },
  );

  /** A page of the log's rows (`columns`, the position first) after a position, with the filter, and how far it looked. */
  const readRows = <R extends [number, ...unknown[]]>(columns: string, options: ReadAllOptions) => {
    const after = options.after === undefined ? 0 : parsePosition(options.after);
    const maxCount = options.maxCount ?? 1000;
    const prefixes = options.filter?.streamPrefixes ?? [];
    const types = options.filter?.eventTypes ?? [];
    const statement = readAllStatement<R>(columns, prefixes.length, types.length);
    const upTo = visibleUpTo();
    const params = [after, upTo, ...prefixes.flatMap((p) => [p.length, p]), ...types, maxCount];
    const { rows, head } = readPage(statement, params, maxCount, upTo) as { rows: R[]; head: number | null };
    const lastRow = rows[rows.length - 1];
    const isEnd = rows.length < maxCount;
    const reached = isEnd ? Math.max(head ?? 0, after) : (lastRow as R)[0];
    return { rows, checkpoint: reached > 0 ? toPosition(reached) : options.after, isEnd };
  };

  return {
    /** The event stored under an id, as written (not upcast): what a retried append is compared with. */
    eventById: (id: string): RecordedEvent | undefined => {
      const row = statements.byId.get(id);
      return row && toEvent(row);
    },

    readStream: async (streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> => {
      if (options.raw) return statements.asWritten.all(streamId).map(toEvent);
      const limit = options.maxCount ?? -1;
      const rows =
        options.direction === 'backwards'
          ? statements.backwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
          : statements.forwards.all(streamId, options.fromRevision ?? 0, limit);
      return rows.map((row) => codec.upcast(toEvent(row)));
    },

    readAll: async (options: ReadAllOptions = {}): Promise<ReadAllResult> => {
      const events: RecordedEvent[] = [];
      if (options.lazyMetadata && !options.raw) {
        const { rows, checkpoint, isEnd } = readRows<LazyRow>(LAZY_COLUMNS, options);
        for (const [position, type, data] of rows) {
          // an upcaster reads the metadata and upcast copies the event by spreading it: an event of a
          // type that has one is read whole (no type has one today)
          events.push(
            codec.mayUpcast(type)
              ? codec.upcast(toEvent(statements.byPosition.get(position) as Row))
              : new LazyEvent(position, type, JSON.parse(data) as Record<string, unknown>, restAt),
          );
        }
        return { events, checkpoint, isEnd };
      }
      const { rows, checkpoint, isEnd } = readRows<RawRow>(COLUMNS, options);
      for (const row of rows) events.push(options.raw ? rawToEvent(row) : codec.upcast(rawToEvent(row)));
      return { events, checkpoint, isEnd };
    },

    /** `readAll` as JSON composed from the stored text: an event is decoded only when an upcaster may change it. */
    readAllJson: async (options: Omit<ReadAllOptions, 'raw'> = {}): Promise<ReadAllJsonResult> => {
      const { rows, checkpoint, isEnd } = readRows<JsonRow>(JSON_COLUMNS, options);
      const events: EventJson[] = [];
      for (const [position, streamId, type, recordedAt, json] of rows) {
        let upcast: RecordedEvent | undefined;
        if (codec.mayUpcast(type)) {
          const stored = toEvent(statements.byPosition.get(position) as Row);
          upcast = codec.upcast(stored);
          if (upcast === stored) upcast = undefined;
        }
        events.push({
          streamId,
          type,
          recordedAt,
          position: toPosition(position),
          json: upcast ? eventJson(upcast) : json,
        });
      }
      return { events, checkpoint, isEnd };
    },

    readByCorrelation: async (
      correlationId: string,
      options: ReadByCorrelationOptions = {},
    ): Promise<RecordedEvent[]> =>
      statements.byCorrelation
        .all(
          correlationId,
          options.after === undefined ? 0 : parsePosition(options.after),
          visibleUpTo(),
          options.limit ?? -1,
        )
        .map((row) => codec.upcast(toEvent(row))),

    headPosition: async (): Promise<Position | undefined> => {
      const p = Math.min(statements.maxPosition.get()?.p ?? 0, visibleUpTo());
      return p > 0 ? toPosition(p) : undefined;
    },

    /**
     * The chain checked page by page in revision order, holding one page of text and no parsed event.
     * Positions rising with revisions make that the order written; anything that does not hold sends
     * the stream, read whole in the order written, to the check that names the break.
     */
    verifyStream: async (streamId: string): Promise<VerifyResult> => {
      const check = createTextChainCheck(streamId);
      let lastPosition = 0;
      let intact = true;
      for (let from = 0; intact; from += VERIFY_PAGE) {
        let read = 0;
        for (const [revision, position, id, type, dataJson, metadataJson] of statements.chainPage.iterate(
          streamId,
          from,
          VERIFY_PAGE,
        )) {
          read += 1;
          intact = position > lastPosition && check.holds({ streamId, revision, id, type, dataJson, metadataJson });
          if (!intact) break;
          lastPosition = position;
        }
        if (intact && read < VERIFY_PAGE) return check.result();
        if (intact) await new Promise((resolve) => setImmediate(resolve));
      }
      return verifyStoredText(streamId, statements.asWritten.all(streamId), asStoredText, toEvent);
    },

    /** Finds an event deleted anywhere in the log, which a stream's own chain cannot show at its tail. */
    checkContinuity: async (): Promise<ContinuityResult> => {
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
  };
};
