import type Database from 'better-sqlite3';

/*
 * SQLite's page cache, per connection (PRAGMA cache_size), set explicitly for each file. better-sqlite3
 * builds SQLite with 16 MB (SQLITE_DEFAULT_CACHE_SIZE=-16000; SQLite's own default is 2 MB), and a
 * connection keeps every page it has touched until its cache is full: one whose file grows keeps growing
 * the process's memory by up to that much, whether or not it reads those pages again.
 */

/** The log: the pages subscriptions, SSE clients and stream reads come back to (the tail, the indexes). */
export const LOG_PAGE_CACHE_KIB = 16_000;

/**
 * The read models of a running backbone: documents read by id or index, and rewritten by the projections
 * in commits of 500 events. With 16 MB a loaded soak's cache held about 6.5 MB 20 s in and grew some 2 MB
 * a minute after (the file, 17 MB and its WAL, passing into it); with 2 MB it stayed flat at no measurable
 * CPU cost per request. What passes the cache is read from the operating system's file cache.
 */
export const READ_MODELS_PAGE_CACHE_KIB = 4_000;

/**
 * A rebuild's read models (the CLI, its worker thread, a restore): better-sqlite3's 16 MB as before, for
 * commits of thousands of events, whose changed pages a smaller cache would spill to the WAL mid-transaction.
 */
export const REBUILD_PAGE_CACHE_KIB = 16_000;

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
