import Database from 'better-sqlite3';
import type { Logger } from '../lib/logger';
import { SQLITE_AUTOCHECKPOINT_PAGES, startCheckpointWorker } from '../lib/sqliteCheckpointWorker';

export type WalCheckpoints = { stop(): Promise<void> };

/** The SQLite connection an adapter holds (the embedded event store, read store, proof), if it is one. */
export const sqliteConnectionOf = (holder: object): Database.Database | undefined => {
  const db: unknown = (holder as { db?: unknown }).db;
  return db instanceof Database ? db : undefined;
};

/**
 * Checkpoints the WAL of busy SQLite files (the read models, the proof) from a worker thread every
 * `everyMs`, instead of in the commit that crosses SQLite's 1,000 pages: that checkpoint (pages
 * written back and the database file fsynced) ran on the event loop, 50-100 ms on a busy disk, in
 * whichever commit crossed the mark. PASSIVE: it waits for no reader or writer, and a commit is as
 * durable as before. The connections checkpoint in their commits again if the worker stops or fails.
 * (The embedded event store checkpoints its log itself, in step with its commits: `logCheckpoints`.)
 */
export const startWalCheckpoints = (
  connections: Database.Database[],
  logger: Logger,
  everyMs = 1_000,
): WalCheckpoints => {
  const dbs = connections.filter((db) => !db.memory && db.open);
  const restore = (): void => {
    for (const db of dbs) if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  };
  if (dbs.length === 0) return { stop: async () => undefined };
  const worker = startCheckpointWorker(
    dbs.map((db) => db.name),
    everyMs,
  );
  let reported = false;
  worker.onAnswer((answer) => {
    if ('failed' in answer && !reported) {
      reported = true;
      logger.warn('a background WAL checkpoint failed; it is tried again', { error: answer.failed });
    }
  });
  worker.onError((error) => {
    logger.error('the WAL checkpoint worker stopped; commits checkpoint again', { error });
    restore();
  });
  for (const db of dbs) db.pragma('wal_autocheckpoint = 0');
  return {
    async stop() {
      await worker.stop();
      restore();
    },
  };
};
