import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type Database from 'better-sqlite3';

/** Called once every commit made before the sync was asked for is on disk, or with why it is not. */
export type Synced = (error?: Error) => void;

export type WalSync = {
  /**
   * `done` runs once every commit this connection has made so far is on disk. `wrote`: whether the
   * commit just made wrote anything; one that did not waits only for the commits before it.
   */
  afterCommit(wrote: boolean, done: Synced): void;
  /** Whether a sync is running or waited for (a commit not yet known to be on disk). */
  readonly busy: boolean;
  /** Why a sync failed, once one has: nothing written after it can be acknowledged. */
  readonly failure: Error | undefined;
  close(): void;
};

/**
 * Durable commits whose sync does not hold the event loop. The connection commits with
 * synchronous=NORMAL, which in WAL mode writes the commit's frames to the WAL and returns, unsynced
 * (checkpoints still sync the WAL before and the database after, so the file is never damaged); the
 * WAL is then synced here with fdatasync on libuv's thread pool, and a commit is acknowledged only
 * once a sync begun after it has returned. That is exactly what synchronous=FULL syncs (the WAL, at
 * each commit), but off the loop: with FULL, a disk that stalls for half a second stalled every
 * request for half a second. fdatasync, not SQLite's fsync: the WAL's data and its length, which
 * reading it back needs, without the file's times. While one sync runs, the commits made meanwhile
 * share the next.
 *
 * SQLite makes a commit visible to readers before this sync returns: the event store's reads of the
 * log stop before the commit not yet synced (`durableUpTo` in its group writer).
 */
export const createWalSync = (db: Database.Database): WalSync => {
  // a database in memory has no disk to reach: its commits are answered as they are made
  if (db.memory)
    return { afterCommit: (_wrote, done) => done(), busy: false, failure: undefined, close: () => undefined };
  db.pragma('synchronous = NORMAL');
  // the WAL exists once the connection has read the database in WAL mode (the schema is read at open)
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  const fd = openSync(`${db.name}-wal`, 'r+');
  // the WAL's and the database's names in their folder: a new log's first sync by SQLite did that
  const folder = openSync(dirname(db.name), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }

  let running: Synced[] | undefined;
  /** Waiting for the next sync: commits made while `running`'s sync was on its way. */
  let next: Synced[] = [];
  let failed: Error | undefined;
  let closed = false;

  const start = (): void => {
    const waiting = next;
    next = [];
    running = waiting;
    fdatasync(fd, (error) => {
      running = undefined;
      // the kernel may have dropped the pages it could not write: no later sync can vouch for them
      // (its code kept: ENOSPC is a full disk, EIO a failing one)
      if (error)
        failed ??= Object.assign(new Error(`${basename(db.name)} could not be synced to disk: ${error.message}`), {
          code: error.code ?? 'EIO',
        });
      for (const done of waiting) done(failed);
      if (next.length > 0) start();
    });
  };

  return {
    afterCommit(wrote, done) {
      if (failed) done(failed);
      else if (!wrote && running === undefined && next.length === 0) done();
      else if (!wrote && running !== undefined && next.length === 0) running.push(done);
      else {
        next.push(done);
        if (running === undefined) start();
      }
    },
    get busy() {
      return running !== undefined || next.length > 0;
    },
    get failure() {
      return failed;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
};
