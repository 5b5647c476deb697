import type Database from 'better-sqlite3';

/**
 * The event log. `position` is the global order, AUTOINCREMENT so a position is never reused and
 * committed positions are contiguous: a deleted event, even the last of a stream or of the log,
 * leaves a gap that `sqlite_sequence` makes evident. A stream's head is read from its index.
 * `correlation_id` is the metadata's correlationId, a generated column: SQLite fills it (and its
 * index) on every insert from the metadata as written, so it can never disagree with it, and the
 * hash, which covers the metadata, is untouched.
 */
const CORRELATION_COLUMN =
  "correlation_id TEXT GENERATED ALWAYS AS (json_extract(metadata, '$.correlationId')) VIRTUAL";
const CORRELATION_INDEX = 'CREATE INDEX IF NOT EXISTS events_correlation ON events (correlation_id, position);';

export const EVENT_LOG_DDL = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  id          TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  ${CORRELATION_COLUMN}
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events (id);
${CORRELATION_INDEX}
`;

/**
 * Creates the log, or brings a log written before `correlation_id` up to date: the column is added
 * (generated, so nothing is rewritten) and its index built over the events already there, once, in
 * one transaction.
 */
export const migrateEventLog = (db: Database.Database): void => {
  db.transaction(() => {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    const columns = exists ? (db.pragma('table_xinfo(events)') as Array<{ name: string }>) : [];
    if (exists && !columns.some((c) => c.name === 'correlation_id'))
      db.exec(`ALTER TABLE events ADD COLUMN ${CORRELATION_COLUMN}`);
    db.exec(EVENT_LOG_DDL);
  })();
};

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
