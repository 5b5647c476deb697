import { Worker } from 'node:worker_threads';

/** SQLite's own WAL length at which a commit checkpoints (its default): what a connection gets back. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** A checkpoint's answer: SQLite's frames in the WAL and frames copied into the file, or why it failed. */
export type CheckpointAnswer = { index: number; log: number; checkpointed: number } | { index: number; failed: string };

// plain JavaScript, evaluated: the same code under ts-node (tests) and compiled (npm start)
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const dbs = workerData.paths.map((path) => {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  return db;
});
const checkpoint = (index) => {
  try {
    const [{ log, checkpointed }] = dbs[index].pragma('wal_checkpoint(PASSIVE)');
    return { index, log, checkpointed };
  } catch (error) {
    return { index, failed: String(error && error.message) };
  }
};
const timer = workerData.everyMs > 0 ? setInterval(() => {
  for (let index = 0; index < dbs.length; index += 1) {
    const answer = checkpoint(index);
    if (answer.failed) parentPort.postMessage(answer);
  }
}, workerData.everyMs) : undefined;
parentPort.on('message', (message) => {
  if (typeof message === 'number') return parentPort.postMessage(checkpoint(message));
  clearInterval(timer);
  for (const db of dbs) db.close();
  parentPort.close();
});
`;

export type CheckpointWorker = {
  /** Checkpoints the file at `index` (PASSIVE) now; its answer comes as a message. */
  checkpoint(index: number): void;
  onAnswer(listener: (answer: CheckpointAnswer) => void): void;
  onError(listener: (error: Error) => void): void;
  /** Closes the worker's connections and waits for it to end. */
  stop(): Promise<void>;
};

/**
 * A worker thread with its own connection to each of `paths`, which checkpoints their WAL (PASSIVE:
 * it waits for no reader or writer) every `everyMs` (0: only when asked), off the event loop: a
 * checkpoint writes pages back into the file and fsyncs it, 50-100 ms on a busy disk. A failed
 * timed checkpoint is answered; a successful one is not.
 */
export const startCheckpointWorker = (paths: readonly string[], everyMs: number): CheckpointWorker => {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), paths, everyMs },
  });
  // the worker must not keep a stopping process alive
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    checkpoint: (index) => worker.postMessage(index),
    onAnswer: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    async stop() {
      // awaited: the process stays up until the worker has closed its connections
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
};
