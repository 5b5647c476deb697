import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  EventToAppend,
  SubscribeOptions,
} from '../../../app/eventStore';
import type { EventCodec, PreparedEvent } from '../eventCodec';
import { AppendSignal, createPollingSubscription } from '../pollingSubscription';
import { createGroupWriter } from './groupWriter';
import { createSqliteReads, type ContinuityResult } from './reads';
import { migrateEventLog, openDurable } from './schema';
import { LOG_PAGE_CACHE_KIB, limitPageCache } from '../../../lib/sqlitePageCache';

export type { ContinuityResult };

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A page reader whose full pages are answered on the next turn of the event loop (see `readAll` below). */
const paced =
  <O, P extends { isEnd: boolean }>(read: (options?: O) => Promise<P>) =>
  async (options?: O): Promise<P> => {
    const page = await read(options);
    if (!page.isEnd) await nextTurn();
    return page;
  };

export type SqliteEventStoreOptions = {
  /** The database file; its folder is created. */
  path: string;
  codec: EventCodec;
  /** How often a live subscription looks for events appended by another process. Default 200 ms. */
  pollIntervalMs?: number;
  /** The most appends grouped into one transaction. Default 1000. */
  maxBatch?: number;
};

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
  limitPageCache(db, LOG_PAGE_CACHE_KIB);
  migrateEventLog(db);
  const { codec } = options;
  const signal = new AppendSignal();
  // the log's readers see what is on disk: the writer's last commit once its sync returns
  const reads = createSqliteReads(db, codec, () => writer.durableUpTo());
  // this connection's commits, counted; another connection's show in data_version (which never counts this one's)
  let commits = 0;
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  /*
   * data_version is read once a turn of the event loop: each read is a statement step (a fifth of an API
   * key's check, which reads the mark at every request), and the requests a turn takes are concurrent
   * with another process's commit in that turn whichever way they are ordered. The next turn reads it again.
   */
  let othersMark: string | undefined;
  const othersCommits = (): string => {
    if (othersMark === undefined) {
      othersMark = String(dataVersion.get());
      setImmediate(() => (othersMark = undefined));
    }
    return othersMark;
  };
  const writer = createGroupWriter({
    db,
    codec,
    maxBatch: options.maxBatch ?? 1000,
    eventById: reads.eventById,
    onCommit: () => {
      commits += 1;
      signal.notify();
    },
  });

  let closed = false;
  const subscriptions = new Set<EventSubscription>();

  const store: SqliteEventStore = {
    kind: 'sqlite',
    db,
    stats: writer.stats,
    get openSubscriptions() {
      return subscriptions.size;
    },
    append(streamId: string, events: EventToAppend[], appendOptions: AppendOptions = {}): Promise<AppendResult> {
      if (closed) return Promise.reject(new Error('the event store is closed'));
      let prepared: PreparedEvent[];
      try {
        prepared = codec.prepare(streamId, events);
      } catch (error) {
        return Promise.reject(error);
      }
      return writer.append(streamId, prepared, appendOptions.expectedRevision ?? 'any');
    },

    readStream: reads.readStream,
    // better-sqlite3 reads synchronously: a reader going page after page (a catch-up, an SSE replay,
    // the notary, the overdue clock, an export) would hold the event loop until the end of the log, so
    // a full page is answered on the next turn, as a networked store's would be, and timers and
    // requests run between pages; the last page (a live reader's) is answered at once
    readAll: paced(reads.readAll),
    readAllJson: paced(reads.readAllJson),
    readByCorrelation: reads.readByCorrelation,

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

    headPosition: reads.headPosition,
    // no read of the log (a read transaction searches the WAL's index for every page it reads)
    changeMark: () => `${othersCommits()}.${commits}`,
    verifyStream: reads.verifyStream,
    checkContinuity: reads.checkContinuity,

    async close() {
      closed = true;
      await writer.drained();
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      writer.close();
      db.close();
    },
  };
  return store;
};
