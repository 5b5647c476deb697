import type Database from 'better-sqlite3';

/**
 * The event log. `position` is the global order, AUTOINCREMENT so a position is never reused and
 * committed positions are contiguous: a deleted event, even the last of a stream or of the log,
 * leaves a gap that `sqlite_sequence` makes evident. A stream's head is read from its index.
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
