import type Database from 'better-sqlite3';
import {
  HOT_STREAMS,
  type AppendResult,
  type ExpectedRevision,
  type RecordedEvent,
  type StoreStats,
} from '../../../app/eventStore';
import type { EventCodec, PreparedEvent, SealedEvent } from '../eventCodec';
import {
  INITIAL_FLUSH_STATE,
  groupCommitted,
  planFlush,
  planGroup,
  turnEnded,
  type AppendDecision,
  type GroupLookup,
  type GroupPlan,
  type QueuedAppend,
  type StreamHead,
} from './groupCommit';
import { createWalSync } from '../../../lib/sqliteWalSync';

export type GroupWriterOptions = {
  db: Database.Database;
  codec: EventCodec;
  /** The most appends grouped into one transaction. */
  maxBatch: number;
  eventById: (id: string) => RecordedEvent | undefined;
  /** Called after each commit, once its appends are answered. */
  onCommit: () => void;
};

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Error && (error as Error & { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';

type PendingAppend = QueuedAppend & {
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

/**
 * Group commit: appends queued in the same moment share one transaction (planned by `planGroup`,
 * written, committed with synchronous=FULL); each is answered only once that commit is on disk.
 */
export const createGroupWriter = ({ db, codec, maxBatch, eventById, onCommit }: GroupWriterOptions) => {
  const stats: StoreStats = { appends: 0, events: 0, transactions: 0 };
  const sync = createWalSync(db);
  const statements = {
    head: db.prepare<[string], StreamHead>(
      "SELECT revision, json_extract(metadata, '$.hash') AS hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1",
    ),
    insert: db.prepare(
      'INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    // what AUTOINCREMENT gives the next row: past the largest position ever used, deleted or not
    nextPosition: db.prepare<[], { next: number }>(
      "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0), coalesce((SELECT max(position) FROM events), 0)) + 1 AS next",
    ),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
  };

  /*
   * Stream heads this process wrote, so an append need not read its stream's last row. Valid while
   * no other connection has committed: data_version changes when one has (read under the write
   * lock, so none can commit meanwhile). Heads of a transaction are kept only once it commits.
   * The last HOT_STREAMS streams written are kept (least recently written first out): a plant's new
   * orders each added a head for good (up to 100,000, about 30 MB, before all were cleared); a stream
   * written again after that many others costs one indexed read of its last row.
   */
  const heads = new Map<string, StreamHead>();
  const keepHead = (streamId: string, head: StreamHead): void => {
    heads.delete(streamId);
    heads.set(streamId, head);
    if (heads.size > HOT_STREAMS) heads.delete(heads.keys().next().value as string);
  };
  let seenDataVersion: unknown;
  /** The log's next position, known while no other connection has committed (like the heads). */
  let nextPosition: number | undefined;
  const head = (streamId: string): StreamHead | undefined => heads.get(streamId) ?? statements.head.get(streamId);
  /** First without a query per id (the unique index refuses a stored one); looking them up if it did. */
  const trusting: GroupLookup = { head, eventById, lookUpIds: false };
  const looking: GroupLookup = { head, eventById, lookUpIds: true };

  /** The time a group is recorded at, formatted once per millisecond (toISOString costs 0.7 us). */
  let lastMs = Number.NaN;
  let lastRecordedAt = '';
  const recordedNow = (): string => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastRecordedAt = new Date(ms).toISOString();
    }
    return lastRecordedAt;
  };

  const writeGroup = db.transaction((group: readonly PendingAppend[], lookup: GroupLookup): GroupPlan => {
    const version = statements.dataVersion.get();
    if (version !== seenDataVersion) nextPosition = undefined;
    if (version !== seenDataVersion) heads.clear();
    seenDataVersion = version;
    const recordedAt = recordedNow();
    const next = nextPosition ?? (statements.nextPosition.get() as { next: number }).next;
    const plan = planGroup(codec, group, lookup, next, recordedAt);
    for (const decision of plan.decisions) {
      if (decision.outcome !== 'accepted') continue;
      const { streamId, firstRevision, firstPosition, sealed } = decision;
      for (let offset = 0; offset < sealed.length; offset += 1) {
        const event = sealed[offset] as SealedEvent;
        const info = statements.insert.run(
          streamId,
          firstRevision + offset,
          event.id,
          event.type,
          event.dataJson,
          event.metadataJson,
          recordedAt,
        );
        // the answers were planned with these positions: a difference must undo the whole group
        if (Number(info.lastInsertRowid) !== firstPosition + offset)
          throw new Error(`event ${event.id} got position ${info.lastInsertRowid}, not the one planned`);
      }
    }
    return plan;
  });

  const commitGroup = (group: readonly PendingAppend[]): GroupPlan => {
    try {
      return writeGroup.immediate(group, trusting);
    } catch (error) {
      // an id already stored (a retry, a conflict): rolled back, planned again looking ids up
      if (!isUniqueViolation(error)) throw error;
      nextPosition = undefined;
      heads.clear();
      return writeGroup.immediate(group, looking);
    }
  };

  let queue: PendingAppend[] = [];
  let flushScheduled = false;
  /** The first position of the commit whose sync is awaited, if one is: reads stop before it. */
  let unsyncedFrom: number | undefined;
  /** Made only when someone waits for the queue to drain (closing), not for every flush. */
  let drained: { promise: Promise<void>; resolve: () => void } | undefined;
  let flushState = INITIAL_FLUSH_STATE;

  /** After a group is answered (or found nothing to do): the next group, or the drained queue's news. */
  const settle = (afterShared = false): void => {
    if (sync.busy) return;
    if (queue.length > 0) scheduleFlush(afterShared);
    else if (!flushScheduled) {
      drained?.resolve();
      drained = undefined;
    }
  };

  /** Answers a committed group once its commit is on disk: every decision is then final and durable. */
  const answer = (group: readonly PendingAppend[], plan: GroupPlan, error: Error | undefined): void => {
    // a commit that did not reach the disk stays out of reads
    if (!error) unsyncedFrom = undefined;
    for (let index = 0; index < group.length; index += 1) {
      const request = group[index] as PendingAppend;
      const decision = plan.decisions[index] as AppendDecision;
      if (error) request.reject(error);
      else if (decision.outcome === 'refused') request.reject(decision.error);
      else {
        stats.appends += 1;
        stats.events += request.events.length;
        request.resolve(decision.result);
      }
    }
    if (!error) onCommit();
    settle(group.length > 1);
  };

  /**
   * Commits one group (up to maxBatch appends); the appends queued meanwhile wait for its sync, and
   * go together in the next: one commit on its way to disk at a time, as when the commit synced itself.
   */
  const flush = (): void => {
    flushScheduled = false;
    if (queue.length === 0 || sync.busy) return settle();
    const group = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
    queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
    let plan: GroupPlan;
    try {
      plan = commitGroup(group);
    } catch (error) {
      // a write through this same connection (which data_version does not show) may have taken a planned position
      nextPosition = undefined;
      for (const request of group) request.reject(error);
      return settle();
    }
    nextPosition = plan.nextPosition;
    for (const [streamId, head] of plan.heads) keepHead(streamId, head);
    stats.transactions += 1;
    flushState = groupCommitted(flushState, group.length);
    const wrote = plan.nextPosition > plan.firstPosition;
    if (wrote) unsyncedFrom = plan.firstPosition;
    sync.afterCommit(wrote, (error) => answer(group, plan, error));
  };

  /**
   * `afterShared`: the commit just answered was shared. Its appends came from requests the loop took while
   * the one before synced, and more are on their way: the next commit waits one turn more of the loop,
   * so that they share it, as they did when each sync held the loop (half the commits, each of which
   * wakes every subscriber of the log).
   */
  const scheduleFlush = (afterShared = false): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    if (afterShared) {
      setImmediate(() => setImmediate(flush));
      return;
    }
    const plan = planFlush(flushState, performance.now());
    flushState = plan.state;
    if (plan.when === 'nextTurn') {
      setImmediate(flush);
      return;
    }
    if (plan.startsTurn) setImmediate(() => (flushState = turnEnded(flushState)));
    queueMicrotask(flush);
  };

  return {
    stats,
    append: (streamId: string, events: PreparedEvent[], expected: ExpectedRevision): Promise<AppendResult> =>
      new Promise<AppendResult>((resolve, reject) => {
        // once a sync has failed nothing more is written: it could not be acknowledged
        if (sync.failure) return reject(sync.failure);
        queue.push({ streamId, events, expected, resolve, reject });
        if (!sync.busy) scheduleFlush();
      }),
    /**
     * The last position a reader of the log may see: the commit whose sync is awaited is visible to
     * this connection but not yet on disk, and what a reader sees (a projection, a subscriber, an
     * export) must survive a power cut as the acknowledged appends do.
     */
    durableUpTo: (): number => (unsyncedFrom === undefined ? Number.MAX_SAFE_INTEGER : unsyncedFrom - 1),
    /** Closes the WAL's file handle, once drained. */
    close: (): void => sync.close(),
    /** Settles once every append queued so far is answered. */
    drained: (): Promise<void> => {
      if (!flushScheduled && queue.length === 0 && !sync.busy) return Promise.resolve();
      if (!drained) {
        let resolve: () => void = () => undefined;
        const promise = new Promise<void>((settle) => (resolve = settle));
        drained = { promise, resolve };
      }
      return drained.promise;
    },
  };
};
