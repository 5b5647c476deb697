import type Database from 'better-sqlite3';

/*
 * SQLite's page cache, per connection (PRAGMA cache_size), set explicitly for each file. better-sqlite3
 * builds SQLite with 16 MB (SQLITE_DEFAULT_CACHE_SIZE=-16000; SQLite's own default is 2 MB), and a
 * connection keeps every page it has touched until its cache is full: one whose file grows keeps growing
 * the process's memory by up to that much, whether or not it reads those pages again.
 */

/** The log and the read models: the pages queries, subscriptions and stream reads come back to. */
export const HOT_PAGE_CACHE_KIB = 16_000;

/**
 * Files written at their end or by key and seldom read back (the proof's leaves, checkpoints, sessions,
 * idempotency answers, the outbox): SQLite's own default. A page read again past it comes from the
 * operating system's file cache.
 */
export const SMALL_PAGE_CACHE_KIB = 2_000;

/** Sets a connection's page cache to at most `kib` KiB. */
export const limitPageCache = (db: Database.Database, kib: number): void => {
  db.pragma(`cache_size = -${kib}`);
};
