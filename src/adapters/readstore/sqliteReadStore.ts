import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  checkField,
  decodeCursor,
  encodeCursor,
  pageLimit,
  valueAt,
  type Comparison,
  type Document,
  type Filter,
  type FindOptions,
  type NamespaceCommit,
  type Page,
  type ProjectionCheckpoint,
  type ReadStore,
} from '../../app/readStore';
import { ValidationError } from '../../domain/errors';
import { REBUILD_PAGE_CACHE_KIB, limitPageCache } from '../../lib/sqlitePageCache';

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,80}$/;
const tableOf = (namespace: string, collection: string): string => {
  if (!NAME.test(namespace) || !NAME.test(collection))
    throw new Error(`bad collection name ${namespace}.${collection}`);
  return `c_${namespace}__${collection}`;
};
const json = (field: string): string => `json_extract(doc, '$.${checkField(field)}')`;

const OPERATORS: Record<string, string> = { $eq: '=', $ne: '!=', $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

/** SQLite stores JSON booleans as 1/0 and has no undefined: compare what json_extract returns. */
const sqlValue = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

const where = (filter: Filter | undefined): { sql: string[]; params: unknown[] } => {
  const sql: string[] = [];
  const params: unknown[] = [];
  for (const [field, condition] of Object.entries(filter ?? {})) {
    const column = field === '_id' ? 'id' : json(field);
    const isComparison = condition !== null && typeof condition === 'object' && !Array.isArray(condition);
    if (!isComparison) {
      if (condition === null) sql.push(`${column} IS NULL`);
      else {
        sql.push(`${column} = ?`);
        params.push(sqlValue(condition));
      }
      continue;
    }
    for (const [op, value] of Object.entries(condition as Comparison)) {
      if (op === '$in') {
        if (!Array.isArray(value) || value.length === 0 || value.length > 500) {
          throw new ValidationError(`$in of ${field} needs 1 to 500 values`, [
            { path: `/filter/${field}`, message: '$in needs a list' },
          ]);
        }
        sql.push(`${column} IN (${value.map(() => '?').join(', ')})`);
        params.push(...value.map(sqlValue));
      } else if ((op === '$eq' || op === '$ne') && value === null) {
        sql.push(`${column} IS ${op === '$eq' ? '' : 'NOT '}NULL`);
      } else if (OPERATORS[op]) {
        sql.push(`${column} ${OPERATORS[op]} ?`);
        params.push(sqlValue(value));
      } else {
        throw new ValidationError(`${op} is not a filter operator`, [
          { path: `/filter/${field}`, message: `${op} is not supported` },
        ]);
      }
    }
  }
  return { sql, params };
};

/**
 * The read store on one SQLite file: a table per collection, JSON documents, expression indexes.
 * `pageCacheKib`: its connection's page cache (default REBUILD_PAGE_CACHE_KIB; a running backbone's is smaller).
 */
export const createSqliteReadStore = (
  path: string,
  options: { pageCacheKib?: number } = {},
): ReadStore & { readonly db: Database.Database } => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // a crash loses at most the last commits, which the projections replay from their checkpoint
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  limitPageCache(db, options.pageCacheKib ?? REBUILD_PAGE_CACHE_KIB);
  db.exec(`
    CREATE TABLE IF NOT EXISTS projection_checkpoints (namespace TEXT PRIMARY KEY, position TEXT, events INTEGER NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS projection_active (projection TEXT PRIMARY KEY, namespace TEXT NOT NULL) WITHOUT ROWID;
  `);
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  /** Collection tables, of one namespace or (without one) of all. */
  const tables = (namespace?: string): string[] =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>)
      .map((row) => row.name)
      .filter((name) => name.startsWith(namespace === undefined ? 'c_' : `c_${namespace}__`));
  // a collection never written (or dropped) reads as empty, as it does on MongoDB
  const existing = new Set(tables());
  const exists = (namespace: string, collection: string): boolean => existing.has(tableOf(namespace, collection));
  const parse = (row: { doc: string } | undefined): Document | undefined =>
    row ? (JSON.parse(row.doc) as Document) : undefined;

  /** A collection's write statements, prepared once (dropped with the namespace's tables). */
  const writers = new Map<string, { upsert: Database.Statement; remove: Database.Statement }>();
  const writerOf = (namespace: string, collection: string) => {
    const name = `${namespace}\u0000${collection}`;
    let writer = writers.get(name);
    if (!writer) {
      const table = tableOf(namespace, collection);
      writer = {
        upsert: db.prepare(
          `INSERT INTO ${table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
        ),
        remove: db.prepare(`DELETE FROM ${table} WHERE id = ?`),
      };
      writers.set(name, writer);
    }
    return writer;
  };

  const commitAll = db.transaction((commits: NamespaceCommit[]) => {
    const now = new Date().toISOString();
    const saveCheckpoint = prepared(
      'INSERT INTO projection_checkpoints (namespace, position, events, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (namespace) DO UPDATE SET position = excluded.position, events = excluded.events, updated_at = excluded.updated_at',
    );
    for (const commit of commits) {
      let collection: string | undefined;
      let writer: ReturnType<typeof writerOf> | undefined;
      for (const write of commit.writes) {
        if (write.collection !== collection || !writer) {
          collection = write.collection;
          writer = writerOf(commit.namespace, collection);
        }
        if (write.doc === null) writer.remove.run(write.id);
        else writer.upsert.run(write.id, JSON.stringify(write.doc));
      }
      saveCheckpoint.run(commit.namespace, commit.position, commit.events, now);
    }
  });

  return {
    kind: 'sqlite',
    /** The file's connection, for its own tests (a full disk is simulated with max_page_count). */
    db,
    async ensure(namespace, collections) {
      for (const [collection, spec] of Object.entries(collections)) {
        const table = tableOf(namespace, collection);
        db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`);
        existing.add(table);
        for (const field of spec.indexes ?? []) {
          // with the id: an equality filter ordered by id (the default) reads the index in order
          db.exec(
            `CREATE INDEX IF NOT EXISTS ${table}__${field.replace(/\./g, '_')}__id ON ${table} (${json(field)}, id)`,
          );
        }
      }
    },
    async get(namespace, collection, id) {
      if (!exists(namespace, collection)) return undefined;
      return parse(
        prepared(`SELECT doc FROM ${tableOf(namespace, collection)} WHERE id = ?`).get(id) as
          { doc: string } | undefined,
      );
    },
    async find(namespace, collection, options: FindOptions = {}): Promise<Page> {
      const table = tableOf(namespace, collection);
      if (options.cursor) decodeCursor(options.cursor);
      if (!exists(namespace, collection)) return { items: [] };
      const limit = pageLimit(options.limit);
      const sortField = options.sort?.field ?? '_id';
      const direction = options.sort?.direction ?? 1;
      const sortColumn = sortField === '_id' ? 'id' : json(sortField);
      const { sql, params } = where(options.filter);
      if (options.cursor) {
        const [value, id] = decodeCursor(options.cursor);
        const op = direction === 1 ? '>' : '<';
        if (sortField === '_id') {
          sql.push(`id ${op} ?`);
          params.push(id);
        } else if (value === null) {
          // null (or missing) sorts first going up and last going down
          sql.push(direction === 1 ? `(${sortColumn} IS NOT NULL OR id > ?)` : `(${sortColumn} IS NULL AND id < ?)`);
          params.push(id);
        } else {
          const nulls = direction === 1 ? '' : ` OR ${sortColumn} IS NULL`;
          sql.push(`(${sortColumn} ${op} ? OR (${sortColumn} = ? AND id ${op} ?)${nulls})`);
          params.push(sqlValue(value), sqlValue(value), id);
        }
      }
      const order = direction === 1 ? 'ASC' : 'DESC';
      const query = `SELECT doc FROM ${table}${sql.length ? ` WHERE ${sql.join(' AND ')}` : ''} ORDER BY ${sortColumn} ${order}${sortField === '_id' ? '' : `, id ${order}`} LIMIT ?`;
      const rows = prepared(query).all(...params, limit + 1) as Array<{ doc: string }>;
      const items = rows.slice(0, limit).map((row) => JSON.parse(row.doc) as Document);
      const last = items[items.length - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(valueAt(last, sortField), last._id) }
        : { items };
    },
    async commit(commits) {
      commitAll(commits);
    },
    async checkpoint(namespace): Promise<ProjectionCheckpoint | undefined> {
      const row = prepared(
        'SELECT namespace, position, events, updated_at FROM projection_checkpoints WHERE namespace = ?',
      ).get(namespace) as
        { namespace: string; position: string | null; events: number; updated_at: string } | undefined;
      return row
        ? {
            namespace: row.namespace,
            position: row.position ?? undefined,
            events: row.events,
            updatedAt: row.updated_at,
          }
        : undefined;
    },
    async active(projection) {
      return (
        prepared('SELECT namespace FROM projection_active WHERE projection = ?').get(projection) as
          { namespace: string } | undefined
      )?.namespace;
    },
    async activate(projection, namespace) {
      prepared(
        'INSERT INTO projection_active (projection, namespace) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET namespace = excluded.namespace',
      ).run(projection, namespace);
    },
    async drop(namespace) {
      db.transaction(() => {
        for (const table of tables(namespace)) {
          db.exec(`DROP TABLE ${table}`);
          existing.delete(table);
        }
        prepared('DELETE FROM projection_checkpoints WHERE namespace = ?').run(namespace);
      })();
      statements.clear();
      writers.clear();
    },
    async namespaces() {
      return (
        db.prepare('SELECT namespace FROM projection_checkpoints ORDER BY namespace').all() as Array<{
          namespace: string;
        }>
      ).map((r) => r.namespace);
    },
    async close() {
      db.close();
    },
  };
};
