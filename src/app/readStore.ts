import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../domain/errors';
import type { Position } from './eventStore';

/** A read-model document. `_pos` is the position of the last event that changed it. */
export type Document = { _id: string; _pos?: Position; [field: string]: unknown };

export type Comparison = {
  $eq?: unknown;
  $ne?: unknown;
  $gt?: unknown;
  $gte?: unknown;
  $lt?: unknown;
  $lte?: unknown;
  $in?: unknown[];
};

/** Field paths (dotted) to a value (equality) or a comparison. */
export type Filter = Record<string, unknown>;

export type FindOptions = {
  filter?: Filter;
  /** One field, ascending (1) or descending (-1); `_id` breaks ties. Default: `_id` ascending. */
  sort?: { field: string; direction: 1 | -1 };
  /** Default 100, at most 1000. */
  limit?: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
};

export type Page<T = Document> = { items: T[]; nextCursor?: string };

export type CollectionSpec = {
  /** Field paths queried often: the store indexes them. */
  indexes?: string[];
};

/** A change to a document, as of an event position. `doc: null` deletes. */
export type Write = { collection: string; id: string; doc: Document | null };

/** Where a projection (one namespace) has got to. */
export type ProjectionCheckpoint = {
  namespace: string;
  position: Position | undefined;
  /** Events applied so far (for progress and status). */
  events: number;
  updatedAt: string;
};

export type NamespaceCommit = { namespace: string; writes: Write[]; position: Position; events: number };

/**
 * Collections of JSON documents grouped by namespace (a projection's version: `wip_v1`). Writes come
 * only through `commit`, which stores a batch of document changes with the projection's checkpoint:
 * atomically (SQLite) or idempotently by position (MongoDB: a document whose `_pos` is newer is left).
 */
export interface ReadStore {
  readonly kind: 'sqlite' | 'mongo';
  ensure(namespace: string, collections: Record<string, CollectionSpec>): Promise<void>;
  get(namespace: string, collection: string, id: string): Promise<Document | undefined>;
  find(namespace: string, collection: string, options?: FindOptions): Promise<Page>;
  commit(commits: NamespaceCommit[]): Promise<void>;
  checkpoint(namespace: string): Promise<ProjectionCheckpoint | undefined>;
  /** The namespace queries of a projection read (blue/green: switched when a new one has caught up). */
  active(projection: string): Promise<string | undefined>;
  activate(projection: string, namespace: string): Promise<void>;
  /** Removes a namespace's collections and checkpoint. */
  drop(namespace: string): Promise<void>;
  namespaces(): Promise<string[]>;
  close(): Promise<void>;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Refuses a field path a query may not use (the stores build queries from them). */
export const checkField = (field: string, path = '/filter'): string => {
  if (!FIELD.test(field))
    throw new ValidationError(`${field} is not a field`, [{ path, message: 'must be a dotted field name' }]);
  return field;
};

let cursorKey: Buffer = randomBytes(32);

/**
 * The key cursors are signed with. The composition root derives it from a kept secret, so cursors
 * stay valid across restarts and between processes sharing the data; by default a random one.
 */
export const setCursorKey = (key: Buffer): void => {
  cursorKey = key;
};

const cursorMac = (payload: string): string =>
  createHmac('sha256', cursorKey).update(payload).digest('base64url').slice(0, 22);

const isScalar = (value: unknown): boolean =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** A page's continuation: the last item's sort value and id, signed so a client cannot craft one. */
export const encodeCursor = (sortValue: unknown, id: string): string => {
  const payload = Buffer.from(JSON.stringify([isScalar(sortValue) ? sortValue : null, id])).toString('base64url');
  return `${payload}.${cursorMac(payload)}`;
};

export const decodeCursor = (cursor: string): [unknown, string] => {
  const [payload, mac, ...rest] = typeof cursor === 'string' ? cursor.split('.') : [];
  if (payload && mac && rest.length === 0) {
    const expected = Buffer.from(cursorMac(payload));
    const given = Buffer.from(mac);
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      try {
        const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
        if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string' && isScalar(value[0]))
          return value as [unknown, string];
      } catch {
        // fall through to the refusal
      }
    }
  }
  throw new ValidationError('the cursor is not one this service gave out', [
    { path: '/cursor', message: 'is invalid' },
  ]);
};

export const valueAt = (doc: Document, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      doc,
    );

export const pageLimit = (limit: number | undefined): number => Math.min(Math.max(Math.trunc(limit ?? 100), 1), 1000);
