import { MongoBulkWriteError, MongoClient, type AnyBulkWriteOperation, type Filter as MongoFilter } from 'mongodb';
import {
  checkField,
  decodeCursor,
  encodeCursor,
  pageLimit,
  valueAt,
  type Document,
  type Filter,
  type ProjectionCheckpoint,
  type ReadStore,
} from '../../app/readStore';
import { ValidationError } from '../../domain/errors';

const ALLOWED = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in']);
const DUPLICATE_KEY = 11000;

type Stored = Document & { _id: string };

/** Our filter language to MongoDB's, refusing any operator it does not name (no $where). */
const toMongo = (filter: Filter | undefined): MongoFilter<Stored> => {
  const out: Record<string, unknown> = {};
  for (const [field, condition] of Object.entries(filter ?? {})) {
    checkField(field);
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
      for (const op of Object.keys(condition)) {
        if (!ALLOWED.has(op))
          throw new ValidationError(`${op} is not a filter operator`, [
            { path: `/filter/${field}`, message: `${op} is not supported` },
          ]);
      }
    }
    out[field] = condition;
  }
  return out;
};

/**
 * The read store on MongoDB: a collection per (namespace, collection). A batch is written with
 * replaceOne filtered on `_pos` below the batch's, so replaying a batch after a crash leaves a newer
 * document alone (the upsert's duplicate key is that case, and is passed over).
 */
export const createMongoReadStore = async (url: string, databaseName?: string): Promise<ReadStore> => {
  const client = await MongoClient.connect(url);
  const db = client.db(databaseName);
  const name = (namespace: string, collection: string): string => `${namespace}__${collection}`;
  const checkpoints = db.collection<{ _id: string; position?: string; events: number; updatedAt: string }>(
    'projection_checkpoints',
  );
  const actives = db.collection<{ _id: string; namespace: string }>('projection_active');

  return {
    kind: 'mongo',
    async ensure(namespace, collections) {
      for (const [collection, spec] of Object.entries(collections)) {
        const target = db.collection(name(namespace, collection));
        for (const field of spec.indexes ?? []) await target.createIndex({ [checkField(field)]: 1 });
      }
    },
    async get(namespace, collection, id) {
      return (await db.collection<Stored>(name(namespace, collection)).findOne({ _id: id })) ?? undefined;
    },
    async find(namespace, collection, options = {}) {
      const limit = pageLimit(options.limit);
      const field = checkField(options.sort?.field ?? '_id', '/sort');
      const direction = options.sort?.direction ?? 1;
      const filter = toMongo(options.filter) as Record<string, unknown>;
      if (options.cursor) {
        const [value, id] = decodeCursor(options.cursor);
        const op = direction === 1 ? '$gt' : '$lt';
        // null (or missing) sorts first going up and last going down
        const after =
          field === '_id'
            ? { _id: { [op]: id } }
            : value === null
              ? direction === 1
                ? { $or: [{ [field]: { $ne: null } }, { _id: { $gt: id } }] }
                : { [field]: null, _id: { $lt: id } }
              : {
                  $or: [
                    { [field]: { [op]: value } },
                    { [field]: value, _id: { [op]: id } },
                    ...(direction === 1 ? [] : [{ [field]: null }]),
                  ],
                };
        Object.assign(filter, { $and: [after] });
      }
      const sort: Record<string, 1 | -1> =
        field === '_id' ? { _id: direction } : { [field]: direction, _id: direction };
      const rows = await db
        .collection<Stored>(name(namespace, collection))
        .find(filter as MongoFilter<Stored>)
        .sort(sort)
        .limit(limit + 1)
        .toArray();
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(valueAt(last, field), last._id) }
        : { items };
    },
    async commit(commits) {
      for (const commit of commits) {
        const byCollection = new Map<string, AnyBulkWriteOperation<Stored>[]>();
        for (const write of commit.writes) {
          const operations = byCollection.get(write.collection) ?? [];
          const newer = {
            _id: write.id,
            $or: [{ _pos: { $lt: commit.position } }, { _pos: { $exists: false } }],
          } as MongoFilter<Stored>;
          operations.push(
            write.doc === null
              ? { deleteOne: { filter: { _id: write.id } } }
              : { replaceOne: { filter: newer, replacement: { ...write.doc, _id: write.id }, upsert: true } },
          );
          byCollection.set(write.collection, operations);
        }
        for (const [collection, operations] of byCollection) {
          try {
            await db.collection<Stored>(name(commit.namespace, collection)).bulkWrite(operations, { ordered: false });
          } catch (error) {
            const benign =
              error instanceof MongoBulkWriteError &&
              error.writeErrors instanceof Array &&
              error.writeErrors.every((e) => e.code === DUPLICATE_KEY);
            if (!benign) throw error;
          }
        }
        await checkpoints.updateOne(
          { _id: commit.namespace },
          { $set: { position: commit.position, events: commit.events, updatedAt: new Date().toISOString() } },
          { upsert: true },
        );
      }
    },
    async checkpoint(namespace): Promise<ProjectionCheckpoint | undefined> {
      const row = await checkpoints.findOne({ _id: namespace });
      return row ? { namespace, position: row.position, events: row.events, updatedAt: row.updatedAt } : undefined;
    },
    async active(projection) {
      return (await actives.findOne({ _id: projection }))?.namespace;
    },
    async activate(projection, namespace) {
      await actives.updateOne({ _id: projection }, { $set: { namespace } }, { upsert: true });
    },
    async drop(namespace) {
      for (const info of await db.listCollections({}, { nameOnly: true }).toArray()) {
        if (info.name.startsWith(`${namespace}__`)) await db.dropCollection(info.name);
      }
      await checkpoints.deleteOne({ _id: namespace });
    },
    async namespaces() {
      return (await checkpoints.find({}).sort({ _id: 1 }).toArray()).map((row) => row._id);
    },
    async close() {
      await client.close();
    },
  };
};
