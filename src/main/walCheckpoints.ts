import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Logger } from '../lib/logger';

/** SQLite's own WAL length at which a commit checkpoints (its default), given back when the worker stops. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * The WAL length (4 KiB pages: 32 MiB) at which a commit checkpoints while the worker runs. The WAL
 * starts again from its beginning only with a commit that finds every frame in it copied, which a
 * checkpoint beside commits that never stop never leaves: with commits every few milliseconds the
 * log's WAL reached 974 MB in 96,000 appends. Past this length the commit's own checkpoint has only
 * what the worker has not yet copied left to copy, and the next commit starts the WAL again.
 */
const WORKER_BACKSTOP_PAGES = 8192;

// plain JavaScript, evaluated: the same code under ts-node (tests) and compiled (npm start)
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const dbs = workerData.paths.map((path) => {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  return db;
});
const checkpoint = () => {
  for (const db of dbs) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      parentPort.postMessage({ failed: String(error && error.message) });
    }
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  for (const db of dbs) db.close();
  parentPort.close();
});
`;

export type WalCheckpoints = { stop(): Promise<void> };

/** The SQLite connection an adapter holds (the embedded event store, read store, proof), if it is one. */
export const sqliteConnectionOf = (holder: object): Database.Database | undefined => {
  const db: unknown = (holder as { db?: unknown }).db;
  return db instanceof Database ? db : undefined;
};

/**
 * Checkpoints the WAL of the busy SQLite files (the log, the read models, the proof) from a worker
 * thread every `everyMs`, instead of in the commit that crosses SQLite's 1,000 pages: that checkpoint
 * (pages written back and the database file fsynced) ran on the event loop, 50-100 ms on a busy disk,
 * in whichever request's append crossed the mark. PASSIVE: it waits for no reader or writer, and a
 * commit is as durable as before (the WAL is still synced at each commit). Meanwhile commits checkpoint
 * only past WORKER_BACKSTOP_PAGES, and as SQLite's do again if the worker stops or fails.
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
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), paths: dbs.map((db) => db.name), everyMs },
  });
  // the worker must not keep a stopping process alive
  worker.unref();
  let reported = false;
  worker.on('message', (message: { failed?: string }) => {
    if (message.failed && !reported) {
      reported = true;
      logger.warn('a background WAL checkpoint failed; it is tried again', { error: message.failed });
    }
  });
  worker.on('error', (error) => {
    logger.error('the WAL checkpoint worker stopped; commits checkpoint again', { error });
    restore();
  });
  for (const db of dbs) db.pragma(`wal_autocheckpoint = ${WORKER_BACKSTOP_PAGES}`);
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // awaited: the process stays up until the worker has closed its connections
      worker.ref();
      worker.postMessage('stop');
      await exited;
      restore();
    },
  };
};
