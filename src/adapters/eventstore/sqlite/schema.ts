import type Database from 'better-sqlite3';

/**
 * The event log's tables. `position` is the global order: AUTOINCREMENT so a position is never
 * reused. `streams` keeps each stream's head (revision and hash) for the concurrency check and so a
 * cut-off tail is evident.
 */
export const EVENT_LOG_DDL = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  id          TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events (id);
CREATE TABLE IF NOT EXISTS streams (
  stream_id TEXT    PRIMARY KEY,
  revision  INTEGER NOT NULL,
  hash      TEXT    NOT NULL
) WITHOUT ROWID;
`;

/**
 * WAL with synchronous=FULL: a commit is on disk when it returns, so an acknowledged append survives
 * a power cut, not only a crash. The busy timeout lets a second process (a CLI, a rebuild) share
 * the file.
 */
export const openDurable = (db: Database.Database): void => {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
};

/** Positions are fixed-width so that they order correctly as strings. */
export const toPosition = (value: number | bigint): string => String(value).padStart(20, '0');

